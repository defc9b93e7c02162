from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import audit, mfa, mfa_views, selectors, services
from .forms import LanguageForm, LoginForm, SahakarPasswordChangeForm, TokenForm
from .middleware import SESSION_KEY
from .models import AccountEvent


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # With SAHAKAR_PASSWORD_LOGIN=0 the password form shows only behind this flag.
        administrator = "administrator" in self.request.GET or self.request.method == "POST"
        return super().get_context_data(administrator=administrator, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if mfa.has_second_factor(user):
            mfa_views.start_pending(self.request, user, next_url=self.get_success_url())
            return redirect("accounts:second_factor")
        response = super().form_valid(form)
        audit.record(kind=AccountEvent.Kind.LOGIN, user=user, request=self.request,
                     method=AccountEvent.Method.PASSWORD)  # fmt: skip
        if mfa.must_use_second_factor(user):
            return redirect(f"{reverse('accounts:mfa_setup')}?{urlencode({'next': response.url})}")
        return response


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = SahakarPasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(kind=AccountEvent.Kind.PASSWORD_CHANGED, user=form.user,
                     request=self.request)  # fmt: skip
        messages.success(self.request, _("Your password has been changed."))
        return response


def _render_profile(
    request: HttpRequest,
    *,
    language_form: LanguageForm | None = None,
    token_form: TokenForm | None = None,
    new_token: str = "",
    status: int = 200,
) -> HttpResponse:
    current = selectors.preferred_language(user=request.user) or translation.get_language()
    context = {
        "language_form": language_form or LanguageForm(initial={"language": current}),
        "token_form": token_form or TokenForm(),
        "tokens": selectors.tokens_of(user=request.user),
        "new_token": new_token,
        "sessions": selectors.sessions_of(user=request.user),
        "current_session": request.session.session_key,
        "totp": mfa.totp_device(request.user),
        "passkeys": selectors.passkeys_of(user=request.user),
        "codes_left": mfa.recovery_codes_left(request.user),
        "mfa_required": mfa.must_use_second_factor(request.user),
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _render_profile(request)


@login_required
@require_POST
def profile_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, language_form=form, status=400)
    language = form.cleaned_data["language"]
    services.set_language(user=request.user, language=language)
    request.session[SESSION_KEY] = language  # the middleware sets the cookie to match
    translation.activate(language)
    messages.success(request, _("Language saved."))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token = services.create_token(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Rendered, not redirected: the token is never stored where it could be shown again.
            return _render_profile(request, new_token=token, status=201)
    return _render_profile(request, token_form=form, status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if services.revoke_token(user=request.user, token_id=token_id, request=request):
        messages.success(request, _("The token has been revoked; it no longer works."))
    else:
        messages.error(request, _("No such token (it may already have been revoked)."))
    return redirect("accounts:profile")


@login_required
@require_POST
def session_end(request: HttpRequest, record_id: int) -> HttpResponse:
    if services.end_session(user=request.user, record_id=record_id, request=request):
        messages.success(request, _("That device is signed out."))
    else:
        messages.error(request, _("No such session (it may already have ended)."))
    return redirect(f"{reverse('accounts:profile')}#devices")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = services.end_other_sessions(
        user=request.user, keep=request.session.session_key, request=request
    )
    messages.success(request, ngettext(
        "%(count)d other device is signed out.", "%(count)d other devices are signed out.", ended
    ) % {"count": ended})  # fmt: skip
    return redirect(f"{reverse('accounts:profile')}#devices")
