from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from .middleware import SESSION_KEY
from .services import language_at_login


@receiver(user_logged_in, dispatch_uid="sahakar_language_at_login")
def apply_language_at_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    # From the request itself (its language cookie), not the thread's active language.
    current = translation.get_language_from_request(request)
    language = language_at_login(user=user, current=current)
    request.session[SESSION_KEY] = language
