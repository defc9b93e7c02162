"""Chat tunables; each may be overridden by a Django setting of the same name."""

from django.conf import settings


def setting(name: str, default):
    return getattr(settings, name, default)


def send_rate() -> float:
    """Writes (send, edit, delete, react) per second per user, sustained."""
    return float(setting("SAHAKAR_CHAT_RATE_PER_SECOND", 5))


def send_burst() -> int:
    return int(setting("SAHAKAR_CHAT_RATE_BURST", 20))


def presence_ttl() -> int:
    """Seconds a heartbeat keeps someone online; clients beat at a third of this."""
    return int(setting("SAHAKAR_CHAT_PRESENCE_TTL", 75))


def cache_key(*parts) -> str:
    namespace = setting("SAHAKAR_CHAT_CACHE_NAMESPACE", "chat")
    return ":".join([namespace, *map(str, parts)])


TYPING_EVERY = 3  # seconds between two typing frames of one user in one room
MAX_BODY = 10_000
PAGE_MAX = 100
