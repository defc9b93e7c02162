"""Who a websocket's session cookie belongs to, for many sockets in one go.

Channels' ``AuthMiddlewareStack`` reads each socket's session and user on its own, in the
process's one database thread, and Django's cache handler is per asyncio context, so every
socket also opened its own Redis connection for the session: in a reconnect storm that was
most of the time to ``hello``. Here the sockets that arrive together share one cache read,
one session query (for the sessions not in the cache) and one user query
(``realtime.batching``), with the checks of ``django.contrib.auth.get_user``.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore
from django.contrib.sessions.backends.db import SessionStore as DbStore
from django.core.cache import caches
from django.utils import timezone
from django.utils.crypto import constant_time_compare

_cache = None


def session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _session_cache():
    """One cache client per process (``caches[...]`` would make one per asyncio context,
    and with Redis each opens its own connection)."""
    global _cache
    if _cache is None:
        _cache = caches.create_connection(settings.SESSION_CACHE_ALIAS)
    return _cache


def _session_data(keys: list[str]) -> dict[str, dict]:
    store = session_store()
    found: dict[str, dict] = {}
    if issubclass(store, CachedDbStore):
        by_cache_key = {store(key).cache_key: key for key in keys}
        cached = _session_cache().get_many(list(by_cache_key))
        found = {by_cache_key[ck]: data for ck, data in cached.items() if data is not None}
    missing = [key for key in keys if key not in found]
    if missing and issubclass(store, DbStore):
        rows = store.get_model_class().objects.filter(
            session_key__in=missing, expire_date__gt=timezone.now()
        )
        for row in rows:
            found[row.session_key] = store().decode(row.session_data)
    elif missing:  # another engine: one at a time
        for key in missing:
            data = store(key).load()
            if data:
                found[key] = data
    return found


def _users(wanted: dict[str, set]) -> dict[tuple[str, object], object]:
    """{(backend path, user id): user} of the users ``backend.get_user`` would return."""
    users = {}
    model = get_user_model()
    for path, ids in wanted.items():
        backend = load_backend(path)
        if isinstance(backend, ModelBackend):  # is_active checked by user_can_authenticate
            rows = model._default_manager.select_related("person").filter(pk__in=ids)
            for user in rows:
                if backend.user_can_authenticate(user):
                    users[(path, user.pk)] = user
        else:
            for user_id in ids:
                users[(path, user_id)] = backend.get_user(user_id)
    return users


def _verified(user, data: dict) -> bool:
    session_hash = data.get(HASH_SESSION_KEY)
    if not session_hash:
        return False
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(session_hash, h) for h in hashes)


def users_for_sessions(keys: list[str]) -> list:
    """The signed-in user of each session key, or ``AnonymousUser``."""
    valid = [key for key in set(keys) if session_store()()._validate_session_key(key)]
    data = _session_data(valid) if valid else {}
    model = get_user_model()
    claims: dict[str, tuple[str, object]] = {}
    wanted: dict[str, set] = {}
    for key, session in data.items():
        path = session.get(BACKEND_SESSION_KEY)
        if path not in settings.AUTHENTICATION_BACKENDS or SESSION_KEY not in session:
            continue
        try:
            user_id = model._meta.pk.to_python(session[SESSION_KEY])
        except Exception:  # a session from another user model: nobody
            continue
        claims[key] = (path, user_id)
        wanted.setdefault(path, set()).add(user_id)
    users = _users(wanted)
    answers = []
    for key in keys:
        user = users.get(claims.get(key))
        answers.append(user if user is not None and _verified(user, data[key]) else AnonymousUser())
    return answers
