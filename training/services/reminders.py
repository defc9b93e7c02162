"""Due-date reminders: 7 days before, on the day, then weekly while overdue."""

from datetime import timedelta

from django.utils.translation import gettext_lazy

from collab.core.formatting import when
from collab.core.scheduling import periodic
from collab.notifications.services import Text

from .. import selectors
from ..models import Enrolment, Reminder
from .notify import notify

BEFORE_DAYS = 7


def reminders_due(enrolment: Enrolment, on) -> list[tuple[str, str]]:
    """(event_type, key) the enrolment should have received by ``on``; the latest only."""
    due = enrolment.due_date
    base = f"{enrolment.pk}:{due.isoformat()}"
    if on > due:
        weeks = (on - due).days // 7
        return [("training.overdue", f"training.overdue:{base}:w{weeks}")] if weeks else []
    if on == due:
        return [("training.due", f"training.due:{base}:day")]
    if on >= due - timedelta(days=BEFORE_DAYS):
        return [("training.due", f"training.due:{base}:before")]
    return []


def _message(event_type: str, enrolment: Enrolment, on) -> Text:
    if event_type == "training.overdue":
        text = gettext_lazy("Overdue training: %(course)s was due %(date)s.")
    elif enrolment.due_date == on:
        text = gettext_lazy("Training due today: %(course)s.")
    else:
        text = gettext_lazy("Training due on %(date)s: %(course)s.")
    return Text(
        text, course=enrolment.course.title, date=lambda: when(enrolment.due_date, "date")
    )


@periodic(every=900)
def send_due_reminders() -> int:
    on = selectors.today()
    candidates = list(
        Enrolment.objects.filter(
            completed_at__isnull=True,
            due_date__isnull=False,
            due_date__lte=on + timedelta(days=BEFORE_DAYS),
            person__active=True,
        ).select_related("course", "person")
    )
    wanted = [(e, t, k) for e in candidates for t, k in reminders_due(e, on)]
    sent_keys = set(
        Reminder.objects.filter(key__in=[k for _e, _t, k in wanted]).values_list("key", flat=True)
    )
    sent = 0
    for enrolment, event_type, key in wanted:
        if key not in sent_keys:
            sent += notify(
                enrolment=enrolment,
                event_type=event_type,
                key=key,
                message=_message(event_type, enrolment, on),
            )
    return sent
