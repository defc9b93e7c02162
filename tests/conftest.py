import os

import pytest

# Shared fixtures: a real Daphne (+ worker) in a subprocess, and Debian's Chromium.
pytest_plugins = ["tests.support.live", "tests.support.browser"]


def services_required() -> bool:
    """In CI a missing PostgreSQL/Redis/Chromium is a failure, not a skip."""
    return os.environ.get("SAHAKAR_REQUIRE_SERVICES") == "1"


def skip_or_fail_when_missing(message: str) -> None:
    """A tool or service this test needs is missing: skip locally, fail in CI."""
    if services_required():
        pytest.fail(message)
    pytest.skip(message)  # never reached when SAHAKAR_REQUIRE_SERVICES=1


def pytest_collection_modifyitems(config, items):
    """`production` tests belong to the PostgreSQL + Redis leg (`make test-production`);
    in the embedded leg there is no shared layer to test, so they do not apply there."""
    in_production_leg = bool(os.environ.get("REDIS_URL"))
    for item in items:
        if item.get_closest_marker("production"):
            item.add_marker(
                pytest.mark.skipif(
                    not in_production_leg, reason="runs in the PostgreSQL + Redis leg"
                )
            )


@pytest.fixture(autouse=True)
def _nothing_cached_from_earlier_tests():
    """Flushes and rollbacks reuse ids and tree paths without any signal: entries a test
    cached (visibility rules, lessons, responses) must not reach the next one."""
    from django.core.cache import cache, caches
    from django.core.cache.backends.locmem import LocMemCache

    from collab.core import generations
    from knowledge.response_cache import GENERATION_KEY as RESPONSES_MARK
    from knowledge.visibility import RULES_MARK
    from training.lesson_cache import GENERATION_KEY as LESSONS_MARK

    if isinstance(caches["default"], LocMemCache):
        cache.clear()
    else:  # a shared Redis: other entries stay, the marks move on
        for mark in (RULES_MARK, RESPONSES_MARK, LESSONS_MARK):
            generations.bump(mark)


@pytest.fixture(autouse=True)
def _fast_passwords(request):
    """Cheap password hashing: the real hasher costs 0.3-1.5 s per user on a busy 2-core
    machine. Not with a server in another process (``_live_test``: Daphne must verify the
    passwords made here with the hashers it has)."""
    if "_live_test" not in request.fixturenames:
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request handled in process leaves its language active in this thread: the next
    test must not start in Khmer because of the one before it."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # In-process consumers need no event bridge (realtime/bridge.py); Daphne subprocesses
    # keep it, so worker-published events reach their sockets in the embedded leg.
    settings.SAHAKAR_EVENT_BRIDGE = False


# collab.search: every test session gets its own search index directory.
@pytest.fixture(scope="session", autouse=True)
def _search_index_in_tmp(tmp_path_factory):
    from django.conf import settings as django_settings
    from haystack import connections

    conf = django_settings.HAYSTACK_CONNECTIONS["default"]
    conf["PATH"] = str(tmp_path_factory.mktemp("search") / "whoosh_index")
    connections.reload("default")
