from django.conf import settings
from django.urls import reverse

from .services import set_language

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

    def _is_language_switch(self, request, response) -> bool:
        if self.set_language_path is None:
            self.set_language_path = reverse("set_language")
        user = getattr(request, "user", None)
        return (
            request.method == "POST"
            and request.path == self.set_language_path
            and response.status_code in (200, 204, 302)
            and user is not None
            and user.is_authenticated
        )
