from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied


class PasswordsOffBackend:
    """With ``SAHAKAR_PASSWORD_LOGIN`` off, only superusers may sign in with a password;
    everyone else uses single sign-on. Listed before ModelBackend: raising PermissionDenied
    stops Django from trying the next backends. No ``get_user``: sessions never name this
    backend (and ``Client.force_login`` skips it)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if getattr(settings, "SAHAKAR_PASSWORD_LOGIN", True) or password is None:
            return None
        User = get_user_model()
        is_super = User.objects.filter(
            **{User.USERNAME_FIELD: username}, is_superuser=True
        ).exists()
        if not is_super:
            raise PermissionDenied
        return None
