"""The suite's clock. Outside production a test may move it forward for every process
(web and worker alike) by writing seconds into ``<data dir>/clock_offset``."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


def _offset_file():
    return settings.DATA_DIR / "clock_offset"


def now() -> datetime:
    if settings.PRODUCTION:
        return timezone.now()
    try:
        offset = float(_offset_file().read_text())
    except (FileNotFoundError, ValueError):
        return timezone.now()
    return timezone.now() + timedelta(seconds=offset)


def set_offset(seconds: float | None) -> None:
    if seconds is None:
        _offset_file().unlink(missing_ok=True)
    else:
        _offset_file().parent.mkdir(parents=True, exist_ok=True)
        _offset_file().write_text(str(seconds))
