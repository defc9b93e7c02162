import asyncio
from collections.abc import Callable
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import WorkerHeartbeat

WORKER_STALE_AFTER = timedelta(seconds=30)
CHANNEL_LAYER_TIMEOUT = 2.0  # seconds


def _check(func) -> dict:
    try:
        detail = func()
        return {"ok": True, "detail": detail or "ok"}
    except Exception as exc:  # a health check reports failures, it never raises
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return {"ok": False, "detail": f"{type(exc).__name__}: {first_line}"[:200]}


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def _channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    # One event loop for the round trip: Redis layers bind their connections to a loop.
    async def round_trip() -> dict:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "healthz.ping"})
        return await asyncio.wait_for(layer.receive(channel), CHANNEL_LAYER_TIMEOUT)

    message = async_to_sync(round_trip)()
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned the wrong message")
    return type(layer).__name__


def _cache() -> str:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not keep a value")
    return "ok"


def _worker() -> str:
    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    if latest is None:
        raise RuntimeError("no task worker has reported (run `manage.py run_worker`)")
    age = timezone.now() - latest.last_seen
    if age > WORKER_STALE_AFTER:
        raise RuntimeError(f"task worker silent for {int(age.total_seconds())} s")
    return f"last heartbeat {age.total_seconds():.1f} s ago"


# Checks of services a feature brings (the platform imports no feature): name -> (check,
# whether it applies now).
_registered: dict[str, tuple[Callable[[], str], Callable[[], bool]]] = {}


def register_check(name: str, check: Callable[[], str], *, when: Callable[[], bool]) -> None:
    """``check`` returns a detail or raises; it is reported only while ``when()`` is true."""
    _registered[name] = (check, when)


def system_health() -> dict[str, dict]:
    checks = {
        "database": _check(_database),
        "channel_layer": _check(_channel_layer),
        "cache": _check(_cache),
        "task_worker": _check(_worker),
    }
    for name, (check, when) in _registered.items():
        if when():
            checks[name] = _check(check)
    return checks
