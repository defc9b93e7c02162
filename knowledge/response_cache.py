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
from dataclasses import dataclass
from functools import cache as once

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.html import escape
from django.utils.translation import get_language

from collab.core import clock, generations
from collab.core.templatetags.shell import display_name

PREFIXES = ("/knowledge/",)
ENTRY_SECONDS = 600  # bounds staleness of what no signal tells us (an owner post renamed)
AUDIENCE_SECONDS = 60  # a reader's visibility signature: membership changes show within this
READER_SECONDS = 60  # a signed-in reader's identity (dropped at once when the user is saved)
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
    return generations.current(GENERATION_KEY)


def purge_all() -> None:
    """Drop every cached knowledge response in every process (older generations are never
    read)."""
    generations.bump(GENERATION_KEY)


@dataclass(frozen=True)
class Reader:
    """Who asks, as far as a cached page needs to know."""

    pk: int | None
    name: str = ""
    is_superuser: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.pk is not None


ANONYMOUS = Reader(pk=None)


def reader_key(user_id) -> str:
    return f"knowledge:reader:{connection.settings_dict['NAME']}:{user_id}"


def reader(request) -> Reader:
    """The reader from the session and a cached identity, without loading the user.

    The identity is only trusted while the session's backend and password hash are what
    Django's own check accepted when it was cached; it is dropped when the user is saved
    or deactivated (knowledge.signals). Otherwise Django checks (``request.user``) and the
    result is remembered.
    """
    session = request.session
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return ANONYMOUS
    known = cache.get(reader_key(user_id))
    if (
        known is not None
        and "names" in known
        and session.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
        and constant_time_compare(session.get(HASH_SESSION_KEY) or "", known["hash"])
    ):
        name = _in_language(known["names"])
        return Reader(pk=known["pk"], name=name, is_superuser=known["super"])
    user = request.user
    if not user.is_authenticated:
        return ANONYMOUS
    names = {}
    for code, _label in settings.LANGUAGES:  # the menu names people as the page's language does
        with translation.override(code):
            names[code] = display_name(user)
    found = Reader(pk=user.pk, name=_in_language(names), is_superuser=user.is_superuser)
    known = {"pk": user.pk, "names": names, "super": found.is_superuser}
    cache.set(reader_key(user.pk), {**known, "hash": user.get_session_auth_hash()}, READER_SECONDS)
    return found


def _in_language(names: dict[str, str]) -> str:
    return names.get(translation.get_language() or "", names[settings.LANGUAGE_CODE])


def forget_readers(user_ids) -> None:
    cache.delete_many([reader_key(pk) for pk in user_ids])


def audience(request, who: Reader, gen: str) -> str:
    """Readers who may see the same knowledge pages share entries."""
    if not who.is_authenticated:
        return "anon"
    if who.is_superuser:
        return "super"
    key = f"knowledge:resp:aud:{gen}:{who.pk}"
    signature = cache.get(key)
    if signature is None:
        from knowledge.visibility import hidden_space_paths, view_restricted_paths

        user = request.user
        hidden = sorted(hidden_space_paths(user) + view_restricted_paths(user))
        signature = "u" + hashlib.sha1("|".join(hidden).encode()).hexdigest()[:16]
        cache.set(key, signature, AUDIENCE_SECONDS)
    return signature


def entry_key(request, who: Reader, gen: str) -> str:
    language = (get_language() or "en")[:2]
    day = clock.now().date().isoformat()
    # The database's name too: a Redis shared by two databases never mixes their pages.
    where = f"{connection.settings_dict['NAME']}|{request.path}"
    path = hashlib.sha1(where.encode()).hexdigest()
    return f"knowledge:resp:{gen}:{language}:{day}:{audience(request, who, gen)}:{path}"


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


def fill(request, who: Reader, html: str) -> str:
    if CSRF in html:
        html = html.replace(CSRF, get_token(request))
    if who.is_authenticated:
        html = html.replace(NAME, escape(who.name))
        count = unread_count(who.pk)
        html = html.replace(BELL_DATA, str(count))
        html = html.replace(BELL_HIDDEN, "" if count else " hidden").replace(BELL, str(count))
    return html


def unread_count(user_id: int) -> int:
    """The bell's number, as collab.notifications.selectors.unread_count counts it, from
    SQL built once: building the query costs twenty times running it on a cache hit."""
    with connection.cursor() as cursor:
        cursor.execute(_unread_sql(connection.alias), [user_id])
        return cursor.fetchone()[0]


@once
def _unread_sql(alias: str) -> str:
    from collab.notifications.models import Recipient

    rows = Recipient.objects.using(alias).filter(user_id=0, read_at__isnull=True)
    sql, params = rows.order_by().values("pk").query.sql_with_params()
    if list(params) != [0]:  # the user id must be the only parameter
        raise RuntimeError(f"unexpected parameters of the unread count: {params}")
    return f"SELECT COUNT(*) FROM ({sql}) unread"
