from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import translation

from . import audit
from .middleware import CHOSEN_BEFORE_LOGIN, SESSION_KEY
from .models import AccountEvent, SessionRecord
from .services import language_at_login, touch_session


@receiver(user_logged_in, dispatch_uid="sahakar_language_at_login")
def apply_language_at_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    chosen = request.session.pop(CHOSEN_BEFORE_LOGIN, None)
    # From the request itself (its language cookie), not the thread's active language.
    current = chosen or translation.get_language_from_request(request)
    language = language_at_login(user=user, current=current, chosen=bool(chosen))
    request.session[SESSION_KEY] = language
    touch_session(request=request, user=user)  # the signed-in devices list starts here


@receiver(user_login_failed, dispatch_uid="sahakar_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if "password" not in credentials:
        return  # not a password sign-in (single sign-on records its own)
    username = str(credentials.get("username", ""))
    if getattr(request, "axes_locked_out", False):
        return  # user_locked_out below records it
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        reason = "unknown user"
    elif not user.is_active and request is not None and user.check_password(
        request.POST.get("password", "")
    ):
        reason = "inactive"
    else:
        reason = "wrong password"
    audit.record(kind=AccountEvent.Kind.LOGIN, user=user, username=username, request=request,
                 method=AccountEvent.Method.PASSWORD, success=False, reason=reason)


@receiver(user_locked_out, dispatch_uid="sahakar_audit_locked_out")
def audit_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    user = get_user_model().objects.filter(username=username or "").first()
    audit.record(kind=AccountEvent.Kind.LOGIN, user=user, username=username or "",
                 request=request, method=AccountEvent.Method.PASSWORD, success=False,
                 reason="locked out")


@receiver(user_logged_out, dispatch_uid="sahakar_audit_logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    if request is not None and getattr(request, "session", None) is not None:
        SessionRecord.objects.filter(session_key=request.session.session_key).delete()
    audit.record(kind=AccountEvent.Kind.LOGOUT, user=user, request=request)
