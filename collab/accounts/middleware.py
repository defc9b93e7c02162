from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Sets the language cookie's choice from the logged-in user's profile, if any.

    Runs before LocaleMiddleware, which then honours the cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lang = request.session.get("sahakar_language") if hasattr(request, "session") else None
        if lang and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = lang
            translation.activate(lang)
        return self.get_response(request)
