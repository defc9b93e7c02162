from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .selectors import unread_notification_count


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Promise
    url_names: tuple[str, ...]  # the first that exists wins: apps land one by one
    fallback: str
    areas: tuple[str, ...]  # path prefixes that count as "here"


NAVIGATION = [
    NavItem("chat", _("Chat"), ("chat:home",), "/chat/", ("/chat/",)),
    NavItem(
        "meetings", _("Meetings"), ("calls:index", "calls:home", "calls:list"), "/meetings/",
        ("/meetings/",),
    ),
    NavItem(
        "consultations",
        _("Consultations"),
        ("consultations:index", "consultations:home", "consultations:list", "health:referrals"),
        "/consultations/",
        ("/consultations/", "/health/"),
    ),
    NavItem("workflows", _("Requests"), ("workflows:inbox",), "/workflows/", ("/workflows/",)),
    NavItem(
        "knowledge", _("Knowledge"), ("knowledge:index", "knowledge:home"), "/knowledge/",
        ("/knowledge/", "/kb/"),
    ),
    NavItem(
        "training", _("Training"), ("training:my_learning", "training:index"), "/learning/",
        ("/learning/", "/training/"),
    ),
    NavItem("directory", _("Directory"), ("directory:index",), "/directory/", ("/directory/",)),
]

# Each language named in itself, the same in every UI (Django's name_local for km is "Khmer").
ENDONYMS = {"km": "ខ្មែរ", "en": "English"}


@cache
def nav_url(url_names: tuple[str, ...], fallback: str) -> str:
    for name in url_names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return fallback


def shell(request: HttpRequest) -> dict:
    """Navigation and the bell's initial count; the count is only queried if rendered."""
    path = request.path
    nav = [
        {
            "url": nav_url(item.url_names, item.fallback),
            "label": item.label,
            "key": item.key,
            "current": path.startswith(item.areas),
        }
        for item in NAVIGATION
    ]
    user = getattr(request, "user", None)

    @cache
    def unread_count() -> int | None:  # templates call it: no query unless rendered
        return unread_notification_count(user) if user is not None else None

    languages = [
        {"code": code, "name": ENDONYMS.get(code, str(name))} for code, name in settings.LANGUAGES
    ]
    return {"shell_nav": nav, "shell_languages": languages, "shell_unread_count": unread_count}
