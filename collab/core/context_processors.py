from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .selectors import unread_notification_count

# (url, label, key): plain paths so the shell renders before each app has its pages.
NAVIGATION = [
    ("/chat/", _("Chat"), "chat"),
    ("/meetings/", _("Meetings"), "meetings"),
    ("/health/", _("Consultations"), "consultations"),
    ("/kb/", _("Knowledge"), "knowledge"),
    ("/learning/", _("Training"), "training"),
    ("/directory/", _("Directory"), "directory"),
]

# Each language named in itself, the same in every UI (Django's name_local for km is "Khmer").
ENDONYMS = {"km": "ខ្មែរ", "en": "English"}


def shell(request: HttpRequest) -> dict:
    """Navigation and the bell's initial count; the count is only queried if rendered."""
    path = request.path
    nav = [
        {"url": url, "label": label, "key": key, "current": path.startswith(url)}
        for url, label, key in NAVIGATION
    ]
    user = getattr(request, "user", None)

    @cache
    def unread_count() -> int | None:  # templates call it: no query unless rendered
        return unread_notification_count(user) if user is not None else None

    languages = [
        {"code": code, "name": ENDONYMS.get(code, str(name))} for code, name in settings.LANGUAGES
    ]
    return {"shell_nav": nav, "shell_languages": languages, "shell_unread_count": unread_count}
