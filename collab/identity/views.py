from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from collab.accounts import audit
from collab.accounts.models import AccountEvent

from . import oidc, services
from .seam import IdentityRefused

NEXT_KEY = "identity_next"
ID_TOKEN_KEY = "identity_id_token"
SECOND_FACTOR_KEY = "sahakar_second_factor"  # read by the second-factor gate (accounts)
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _config() -> oidc.Config:
    conf = oidc.config()
    if conf is None:
        raise Http404
    return conf


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def refused(request: HttpRequest, reason: str, *, status: int) -> HttpResponse:
    # Both languages, whatever the browser asked for: the person may not be signed in yet.
    languages = ["km", "en"]
    return render(
        request, "identity/refused.html", {"reason": reason, "languages": languages},
        status=status,
    )  # fmt: skip


@require_GET
@never_cache
def oidc_login(request: HttpRequest) -> HttpResponse:
    conf = _config()
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next", ""))
    redirect_uri = request.build_absolute_uri(reverse("identity:oidc_callback"))
    try:
        return oidc.client(conf).authorize_redirect(request, redirect_uri)
    except Exception as exc:  # discovery failed: the provider is down or misconfigured
        audit.record(kind=AccountEvent.Kind.LOGIN, method=AccountEvent.Method.SSO,
                     success=False, reason=oidc.reason_for(exc), request=request)  # fmt: skip
        return refused(request, "provider_unreachable", status=502)


@require_GET
@never_cache
def oidc_callback(request: HttpRequest) -> HttpResponse:
    conf = _config()
    try:
        identity, token = oidc.finish(request, conf)
    except oidc.Refused as exc:
        audit.record(kind=AccountEvent.Kind.LOGIN, method=AccountEvent.Method.SSO,
                     success=False, reason=exc.reason, request=request,
                     error=exc.detail[:300])  # fmt: skip
        return refused(request, exc.reason, status=400)
    try:
        user = services.sign_in(identity=identity)
    except IdentityRefused as exc:
        audit.record(kind=AccountEvent.Kind.LOGIN, method=AccountEvent.Method.SSO,
                     success=False, reason=exc.reason, request=request,
                     username=identity.employee_id or identity.email or identity.subject,
                     subject=identity.subject)  # fmt: skip
        return refused(request, exc.reason, status=403)
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, user, backend=SESSION_BACKEND)
    request.session[ID_TOKEN_KEY] = token["id_token"]
    if identity.second_factor:
        request.session[SECOND_FACTOR_KEY] = "sso"
    request.session.save()
    services.remember_provider_session(
        issuer=identity.issuer, sid=identity.detail.get("sid", ""), subject=identity.subject,
        session_key=request.session.session_key, user=user,
    )  # fmt: skip
    audit.record(kind=AccountEvent.Kind.LOGIN, user=user, method=AccountEvent.Method.SSO,
                 request=request, second_factor=identity.second_factor)  # fmt: skip
    return redirect(_safe_next(request, next_url))


@csrf_exempt  # a server-to-server POST from the provider, authenticated by its signature
@require_POST
@never_cache
def oidc_backchannel_logout(request: HttpRequest) -> HttpResponse:
    """OpenID Connect Back-Channel Logout 1.0: the provider ended a person's session."""
    conf = _config()
    try:
        claims = oidc.logout_claims(conf, request.POST.get("logout_token", ""))
    except oidc.Refused as exc:
        audit.record(kind=AccountEvent.Kind.SESSION_ENDED, method=AccountEvent.Method.SSO,
                     success=False, reason=exc.reason, request=request,
                     error=exc.detail[:300])  # fmt: skip
        return HttpResponse(status=400, headers={"Cache-Control": "no-store"})
    services.end_provider_sessions(
        issuer=conf.issuer, sid=claims.get("sid", ""), subject=claims.get("sub", ""),
        request=request,
    )  # fmt: skip
    return HttpResponse(status=200, headers={"Cache-Control": "no-store"})
