"""Whole-response cache of knowledge articles, in front of Wagtail's routing.

An entry is the rendered HTML of an article with its per-user parts cut out (CSRF tokens,
the user's name, the bell count) and put back on every hit. Entries are shared by readers
who may see the same pages (the related list is filtered by visibility), are keyed by
address, language and day (the overdue note), and are dropped together whenever any
knowledge page is published, unpublished, moved or deleted (a generation counter: lists
and related links on other pages change too).
"""

from __future__ import annotations

import hashlib
import re

from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.translation import get_language

from collab.core import clock

PREFIXES = ("/knowledge/",)
ENTRY_SECONDS = 600  # bounds staleness of what no signal tells us (an owner post renamed)
AUDIENCE_SECONDS = 60  # a reader's visibility signature: membership changes show within this
GENERATION_KEY = "knowledge:resp:generation"

CSRF = "\x00kb-csrf\x00"
NAME = "\x00kb-name\x00"
BELL = "\x00kb-bell\x00"
BELL_HIDDEN = "\x00kb-bell-hidden\x00"
BELL_DATA = "\x00kb-bell-data\x00"
_CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_NAME = re.compile(r'(<details class="shell-user-menu">\s*<summary>)[^<]*(</summary>)')
_BELL = re.compile(
    r'(data-unread=")\d*(">.{0,2000}?<span class="shell-bell-count" id="shell-bell-count")'
    r"(?: hidden)?>\d*(</span>)",
    re.DOTALL,
)


def generation() -> str:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = 1
        cache.add(GENERATION_KEY, value, None)
    return str(value)


def purge_all() -> None:
    """Drop every cached knowledge response (entries of older generations are never read)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def audience(user, gen: str) -> str:
    """Readers who may see the same knowledge pages share entries."""
    if not user.is_authenticated:
        return "anon"
    if user.is_superuser:
        return "super"
    key = f"knowledge:resp:aud:{gen}:{user.pk}"
    signature = cache.get(key)
    if signature is None:
        from knowledge.selectors import hidden_space_paths, view_restricted_paths

        hidden = sorted(hidden_space_paths(user) + view_restricted_paths(user))
        signature = "u" + hashlib.sha1("|".join(hidden).encode()).hexdigest()[:16]
        cache.set(key, signature, AUDIENCE_SECONDS)
    return signature


def entry_key(request, gen: str) -> str:
    language = (get_language() or "en")[:2]
    day = clock.now().date().isoformat()
    # The database's name too: a Redis shared by two databases never mixes their pages.
    where = f"{connection.settings_dict['NAME']}|{request.path}"
    path = hashlib.sha1(where.encode()).hexdigest()
    return f"knowledge:resp:{gen}:{language}:{day}:{audience(request.user, gen)}:{path}"


def cacheable_request(request) -> bool:
    return (
        request.method == "GET"
        and not request.GET
        and request.path.startswith(PREFIXES)
        and not _has_messages(request)
    )


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    # Loading them does not mark them read; the page shows them when it renders.
    return bool(storage is not None and storage._loaded_messages)


def template_from(request, response) -> str | None:
    """The response's HTML with per-user parts replaced by markers, or None if it cannot be
    cut safely (then it is not cached)."""
    html = response.content.decode(response.charset)
    if "\x00" in html:
        return None
    html = _CSRF_FIELD.sub(rf"\g<1>{CSRF}\g<2>", html)
    if request.user.is_authenticated:
        html, named = _NAME.subn(rf"\g<1>{NAME}\g<2>", html)
        html, belled = _BELL.subn(rf"\g<1>{BELL_DATA}\g<2>{BELL_HIDDEN}>{BELL}\g<3>", html)
        if named != 1 or belled != 1:
            return None  # the shell changed shape: better uncached than someone else's name
    return html


def fill(request, html: str) -> str:
    if CSRF in html:
        html = html.replace(CSRF, get_token(request))
    if request.user.is_authenticated:
        from collab.core.selectors import unread_notification_count

        user = request.user
        html = html.replace(NAME, escape(user.get_short_name() or user.get_username()))
        count = unread_notification_count(user)
        html = html.replace(BELL_DATA, "" if count is None else str(count))
        html = html.replace(BELL_HIDDEN, "" if count else " hidden").replace(BELL, str(count or 0))
    return html
