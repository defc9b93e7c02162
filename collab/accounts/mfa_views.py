"""Second-factor pages: the code asked after the password, enrolment of an authenticator app
(with ten recovery codes), new recovery codes, removal."""

from base64 import b32encode
from datetime import datetime, timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from collab.core import clock

from . import audit, mfa, services
from .forms import CodeForm, EnrolForm
from .models import AccountEvent

PENDING_FOR = timedelta(minutes=5)
MAX_CODE_ATTEMPTS = 5


def safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


def start_pending(request: HttpRequest, user, *, next_url: str) -> None:
    """The password was right; the login waits for the second factor."""
    request.session[mfa.PENDING_LOGIN] = {
        "user": user.pk, "backend": user.backend, "at": clock.now().isoformat(),
        "next": next_url, "attempts": 0,
    }  # fmt: skip


def pending(request: HttpRequest):
    data = request.session.get(mfa.PENDING_LOGIN)
    if not data or clock.now() - datetime.fromisoformat(data["at"]) > PENDING_FOR:
        request.session.pop(mfa.PENDING_LOGIN, None)
        return None, None
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    return (user, data) if user is not None else (None, None)


@never_cache
def second_factor(request: HttpRequest) -> HttpResponse:
    """After the password (a pending login), or to step up a signed-in session."""
    user, waiting = pending(request)
    if user is None:
        if not (request.user.is_authenticated and mfa.has_second_factor(request.user)):
            return redirect("accounts:login")
        user = request.user
    next_url = waiting["next"] if waiting else safe_next(request, request.GET.get("next"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        method = mfa.verify(user, form.cleaned_data["code"])
        if method:
            if waiting:
                request.session.pop(mfa.PENDING_LOGIN, None)
                login(request, user, backend=waiting["backend"])
            request.session[mfa.SECOND_FACTOR] = method
            audit.record(kind=AccountEvent.Kind.LOGIN, user=user, method=method,
                         request=request, first_factor="password" if waiting else "session")
            return redirect(next_url)
        audit.record(kind=AccountEvent.Kind.LOGIN, user=user, request=request, success=False,
                     method=AccountEvent.Method.TOTP, reason="wrong code")  # fmt: skip
        if waiting:
            waiting["attempts"] += 1
            request.session[mfa.PENDING_LOGIN] = waiting
            if waiting["attempts"] >= MAX_CODE_ATTEMPTS:
                request.session.pop(mfa.PENDING_LOGIN, None)
                messages.error(request, _("Too many wrong codes. Sign in again."))
                return redirect("accounts:login")
        form.add_error("code", _("That code is not right. Check the app and try again."))
    status = 400 if form.errors else 200
    context = {"form": form, "next": next_url, "passkey": mfa.has_passkey(user),
               "codes": mfa.totp_device(user) is not None or mfa.recovery_codes_left(user)}
    return render(request, "accounts/second_factor.html", context, status=status)


def _enrolment_context(request: HttpRequest, form: EnrolForm) -> dict:
    device = mfa.pending_totp_device(request.user)
    return {
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": b32encode(device.bin_key).decode(),
        "required": mfa.must_use_second_factor(request.user),
        "next": safe_next(request, request.GET.get("next")),
    }


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if mfa.totp_device(user) is not None:
        context = {"enrolled": True, "codes_left": mfa.recovery_codes_left(user),
                   "passed": mfa.passed(request)}  # fmt: skip
        return render(request, "accounts/second_factor_setup.html", context)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp(user=user, code=form.cleaned_data["code"], request=request):
            request.session[mfa.SECOND_FACTOR] = AccountEvent.Method.TOTP
            codes = services.replace_recovery_codes(user=user, request=request, first=True)
            context = {"codes": codes, "next": safe_next(request, request.GET.get("next"))}
            return render(request, "accounts/recovery_codes.html", context, status=201)
        form.add_error("code", _("That code is not right. Check the time on your phone "
                                 "and try the code the app shows now."))  # fmt: skip
    status = 400 if form.errors else 200
    return render(request, "accounts/second_factor_setup.html",
                  _enrolment_context(request, form), status=status)  # fmt: skip


def _needs_step_up(request: HttpRequest) -> HttpResponse | None:
    if mfa.passed(request):
        return None
    return redirect(f"{reverse('accounts:second_factor')}?next={reverse('accounts:mfa_setup')}")


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if (step_up := _needs_step_up(request)) is not None:
        return step_up
    codes = services.replace_recovery_codes(user=request.user, request=request)
    context = {"codes": codes, "next": reverse("accounts:profile")}
    return render(request, "accounts/recovery_codes.html", context, status=201)


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    if (step_up := _needs_step_up(request)) is not None:
        return step_up
    services.reset_second_factor(user=request.user, request=request)
    messages.success(request, _("The authenticator app and recovery codes are removed."))
    return redirect("accounts:profile")
