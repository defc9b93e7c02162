"""Quiet hours, digest times and retry backoff (pure functions of the clock)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from .models import DigestFrequency, UserSettings

DAILY_DIGEST_AT = time(7, 0)
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600
MAX_ATTEMPTS = 8


def _local(at: datetime) -> datetime:
    return at.astimezone(ZoneInfo(settings.TIME_ZONE))


def in_quiet_hours(at: datetime, prefs: UserSettings | None) -> bool:
    if not prefs or prefs.quiet_start is None or prefs.quiet_end is None:
        return False
    t = _local(at).time()
    start, end = prefs.quiet_start, prefs.quiet_end
    if start <= end:
        return start <= t < end
    return t >= start or t < end  # spans midnight, e.g. 21:00–06:00


def quiet_hours_end(at: datetime, prefs: UserSettings) -> datetime:
    local = _local(at)
    end = local.replace(
        hour=prefs.quiet_end.hour, minute=prefs.quiet_end.minute, second=0, microsecond=0
    )
    return end if end > local else end + timedelta(days=1)


def next_digest_at(at: datetime, frequency: str) -> datetime:
    local = _local(at)
    if frequency == DigestFrequency.HOURLY:
        return local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    daily = local.replace(
        hour=DAILY_DIGEST_AT.hour, minute=DAILY_DIGEST_AT.minute, second=0, microsecond=0
    )
    return daily if daily > local else daily + timedelta(days=1)


def routine_send_at(at: datetime, prefs: UserSettings | None, *, digest: bool) -> datetime:
    """When a routine email may go: after the digest boundary and outside quiet hours."""
    when = next_digest_at(at, prefs.digest or DigestFrequency.DAILY) if digest and prefs else at
    if digest and not prefs:
        when = next_digest_at(at, DigestFrequency.DAILY)
    if in_quiet_hours(when, prefs):
        when = quiet_hours_end(when, prefs)
    return when


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
                                 RETRY_MAX_SECONDS))
