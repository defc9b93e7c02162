"""ASGI entry point of live-test servers: the real ``collab.asgi.application``, plus the
per-session isolation and test-only preloads set by ``tests/support/live.py``."""

from tests.support.live_env import configure, preload

configure()

from collab.asgi import application as suite  # noqa: E402 (sets Django up)

preload()

from asgiref.sync import sync_to_async  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.cache.backends.locmem import LocMemCache  # noqa: E402

RESET_PATH = "/__live__/reset"


def reset() -> None:
    """Forget what an earlier test left in this process: each test's flush recreates content
    types under new ids, and a local-memory cache never hears of the test process's purges
    (a shared Redis cache does, and is left alone)."""
    ContentType.objects.clear_cache()
    for cache in caches.all():
        if isinstance(cache, LocMemCache):
            cache.clear()


async def application(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == RESET_PATH:
        await sync_to_async(reset)()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return None
    return await suite(scope, receive, send)


__all__ = ["application", "RESET_PATH"]
