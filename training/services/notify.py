"""The one door to the suite's notifications: each reminder is sent once (idempotent key)."""

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from collab.core import clock

from ..models import Enrolment, Reminder

if TYPE_CHECKING:
    from collab.notifications.services import Text


def notify(*, enrolment: Enrolment, event_type: str, key: str, message: "Text") -> bool:
    """Send once per key; returns False when this key was already sent."""
    from collab.notifications.services import emit

    try:
        with transaction.atomic():
            Reminder.objects.create(
                enrolment=enrolment, key=key, event_type=event_type, sent_at=clock.now()
            )
            emit(
                event_type=event_type,
                event_key=key,
                people=[enrolment.person],
                message=message,
                url=enrolment.course.url or "/learning/",
            )
    except IntegrityError:
        return False
    return True
