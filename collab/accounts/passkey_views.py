"""Passkey endpoints behind accounts/passkeys.js: add one (profile page), sign in with one
(login page, no password), use one as the second step after a password, remove one."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import audit, mfa, mfa_views, passkeys, services
from .models import AccountEvent

BACKEND = "collab.accounts.backends.PersonModelBackend"
NAME_LENGTH = 100


def _options(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _may_add(request: HttpRequest) -> bool:
    """Adding a factor to an account that has one needs a session that passed one."""
    return bool(mfa.passed(request)) or not mfa.has_second_factor(request.user)


@never_cache
@login_required
@require_POST
def register_options(request: HttpRequest) -> HttpResponse:
    if not _may_add(request):
        return _refused(_("Confirm it is you with your second factor first."), status=403)
    return _options(passkeys.registration_options(request, request.user))


@never_cache
@login_required
@require_POST
def register(request: HttpRequest) -> JsonResponse:
    if not _may_add(request):
        return _refused(_("Confirm it is you with your second factor first."), status=403)
    try:
        data = passkeys.parse(request.body)
        new = passkeys.check_registration(request, request.user, data.get("credential") or {})
    except passkeys.PasskeyRefused as refused:
        audit.record(kind=AccountEvent.Kind.MFA_ENROLLED, user=request.user, request=request,
                     method=AccountEvent.Method.PASSKEY, success=False,
                     reason=refused.reason)  # fmt: skip
        return _refused(_("The passkey could not be added. Try again."))
    name = " ".join(str(data.get("name") or "").split())[:NAME_LENGTH] or _("Passkey")
    services.add_passkey(user=request.user, name=name, new=new, request=request)
    request.session[mfa.SECOND_FACTOR] = AccountEvent.Method.PASSKEY
    messages.success(request, _("Passkey added: you can sign in with it now."))
    return JsonResponse({"redirect": f"{reverse('accounts:profile')}#passkeys"}, status=201)


def _who(request: HttpRequest):
    """The account a passkey must belong to: the one waiting for its second step, the one
    signed in (a step up), or anyone (sign-in without a password)."""
    user, pending = mfa_views.pending(request)
    if user is not None:
        return user, pending
    return (request.user if request.user.is_authenticated else None), None


@never_cache
@require_POST
def sign_in_options(request: HttpRequest) -> HttpResponse:
    user, _pending = _who(request)
    return _options(passkeys.authentication_options(request, user))


@never_cache
@require_POST
def sign_in(request: HttpRequest) -> JsonResponse:
    user, pending = _who(request)
    try:
        data = passkeys.parse(request.body)
        passkey, sign_count = passkeys.check_authentication(request, data)
        if not passkey.user.is_active:
            raise passkeys.PasskeyRefused("inactive")
    except passkeys.PasskeyRefused as refused:
        audit.record(kind=AccountEvent.Kind.LOGIN, user=user, request=request, success=False,
                     method=AccountEvent.Method.PASSKEY, reason=refused.reason)  # fmt: skip
        return _refused(_("That passkey was not accepted. Try again or use another way "
                          "to sign in."), status=403)  # fmt: skip
    services.passkey_used(passkey=passkey, sign_count=sign_count)
    if pending:
        request.session.pop(mfa.PENDING_LOGIN, None)
        next_url, first_factor = pending["next"], "password"
        login(request, passkey.user, backend=pending["backend"])
    elif user is not None:
        next_url, first_factor = mfa_views.safe_next(request, data.get("next")), "session"
    else:
        next_url, first_factor = mfa_views.safe_next(request, data.get("next")), ""
        login(request, passkey.user, backend=BACKEND)
    request.session[mfa.SECOND_FACTOR] = AccountEvent.Method.PASSKEY
    audit.record(kind=AccountEvent.Kind.LOGIN, user=passkey.user, request=request,
                 method=AccountEvent.Method.PASSKEY, passkey=passkey.name,
                 first_factor=first_factor)  # fmt: skip
    return JsonResponse({"redirect": next_url})


@login_required
@require_POST
def remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    if not mfa.passed(request):
        return redirect(f"{reverse('accounts:second_factor')}?next={reverse('accounts:profile')}")
    if services.remove_passkey(user=request.user, passkey_id=passkey_id, request=request):
        messages.success(request, _("The passkey is removed; it no longer signs you in."))
    else:
        messages.error(request, _("No such passkey (it may already have been removed)."))
    return redirect(f"{reverse('accounts:profile')}#passkeys")
