"""Pages of the emailed one-time links (invitation, password reset) and of the request for
a reset. Opening a link changes nothing (mail scanners open links); choosing the password
uses it up."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import selectors, services
from .forms import ChoosePasswordForm, PasswordResetRequestForm
from .models import OneTimeLink


def _choose_password(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    link = selectors.valid_link(token=token, kind=kind)
    template = "accounts/choose_password.html"
    if link is None:
        return render(request, template, {"kind": kind, "invalid": True}, status=410)
    form = ChoosePasswordForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.use_link(token=token, kind=kind, request=request,
                              password=form.cleaned_data["new_password1"])  # fmt: skip
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            messages.success(request, _("Your password is set. Sign in with it now."))
            return redirect("accounts:login")
    status = 400 if request.method == "POST" else 200
    context = {"kind": kind, "form": form, "username": link.user.get_username()}
    return render(request, template, context, status=status)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    return _choose_password(request, token, OneTimeLink.Kind.INVITATION)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def password_reset_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _choose_password(request, token, OneTimeLink.Kind.PASSWORD_RESET)


@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    template = "accounts/password_reset.html"
    if request.method == "POST" and form.is_valid():
        try:
            services.request_password_reset(email=form.cleaned_data["email"], request=request)
        except services.RateLimited:
            return render(request, template, {"form": form, "limited": True}, status=429)
        minutes = settings.SAHAKAR_PASSWORD_RESET_MINUTES
        return render(request, template, {"sent": True, "reset_minutes": minutes})
    return render(request, template, {"form": form}, status=400 if form.errors else 200)
