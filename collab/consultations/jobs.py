from datetime import timedelta

from django.conf import settings

from collab.core.scheduling import periodic

from .services import delete_expired_recordings, send_due_reminders

CHECK_EVERY = 3600  # seconds


@periodic(every=CHECK_EVERY)
def recording_retention() -> None:
    days = getattr(settings, "SAHAKAR_RECORDING_RETENTION_DAYS", 90)
    delete_expired_recordings(older_than=timedelta(days=days))


@periodic(every=60)
def consultation_reminders() -> None:
    send_due_reminders()
