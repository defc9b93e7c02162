from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from collab.core import clock

from . import mfa
from .services import SEEN_KEY, set_language, touch_session

# The session carries the logged-in user's language (from their profile, put there at
# login); it wins over the browser's language cookie, which is only the anonymous choice.
SESSION_KEY = "sahakar_language"


class UserLanguageMiddleware:
    """Applies the user's profile language and saves language switches to the profile.

    Sits before LocaleMiddleware, which reads the language cookie this puts in place. A POST
    to Django's ``set_language`` by a logged-in user is also stored on their profile.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.set_language_path = None

    def __call__(self, request):
        cookie_name = settings.LANGUAGE_COOKIE_NAME
        sent_cookie = request.COOKIES.get(cookie_name)
        chosen = request.session.get(SESSION_KEY)
        if chosen:
            request.COOKIES[cookie_name] = chosen

        response = self.get_response(request)

        if self._is_language_switch(request, response):
            language = request.POST.get("language", "")
            if language in dict(settings.LANGUAGES):
                set_language(user=request.user, language=language)
                request.session[SESSION_KEY] = language
        elif self._is_anonymous_switch(request, response):
            language = request.POST.get("language", "")
            if language in dict(settings.LANGUAGES):
                request.session[CHOSEN_BEFORE_LOGIN] = language
        chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if chosen and chosen != sent_cookie and cookie_name not in response.cookies:
            response.set_cookie(
                cookie_name,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response

    def _is_switch(self, request, response) -> bool:
        if self.set_language_path is None:
            self.set_language_path = reverse("set_language")
        return (
            request.method == "POST"
            and request.path == self.set_language_path
            and response.status_code in (200, 204, 302)
        )

    def _is_language_switch(self, request, response) -> bool:
        user = getattr(request, "user", None)
        return self._is_switch(request, response) and user is not None and user.is_authenticated

    def _is_anonymous_switch(self, request, response) -> bool:
        user = getattr(request, "user", None)
        return self._is_switch(request, response) and (user is None or not user.is_authenticated)


# A language picked on the page itself before signing in (POST to set_language while
# anonymous): at sign-in it wins over the profile's and is saved there.
CHOSEN_BEFORE_LOGIN = "sahakar_language_chosen"
SEEN_EVERY = 300


class SessionRecordMiddleware:
    """Keeps the "signed-in devices" list: browser, IP and last use of each session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.session_key or request.path.startswith(
            settings.STATIC_URL
        ):
            return response
        # The session first: reading request.user costs a query, cached pages have none.
        seen = session.get(SEEN_KEY)  # set at sign-in (receivers.py): no query until due
        if seen is not None and int(clock.now().timestamp()) - seen <= SEEN_EVERY:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            touch_session(request=request, user=user)
        return response


def _json_or_redirect(request, url: str):
    if request.path.startswith("/api/"):
        message = _("This needs a second factor: sign in with your authenticator app.")
        return JsonResponse({"detail": message}, status=403)
    return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


class SecondFactorGateMiddleware:
    """People who must use a second factor (SAHAKAR_MFA_REQUIRED_FOR) reach patient data,
    /admin/ and /cms/ only from a session that passed one; the admin sites' own password
    forms are replaced by ours, which asks for the second factor."""

    ADMIN_LOGINS = ("/admin/login/", "/cms/login/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path in self.ADMIN_LOGINS:
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': path[:-6]})}")
        user = request.user
        if (
            path.startswith(settings.SAHAKAR_MFA_PROTECTED_PATHS)
            and user.is_authenticated
            and not mfa.passed(request)
            and mfa.must_use_second_factor(user)
        ):
            if mfa.has_second_factor(user):
                return _json_or_redirect(request, reverse("accounts:second_factor"))
            return _json_or_redirect(request, reverse("accounts:mfa_setup"))
        return self.get_response(request)
