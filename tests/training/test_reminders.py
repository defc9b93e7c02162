"""Reminders 7 days before, on the due date, weekly when overdue — each once (moved clock)."""

import datetime

from collab.notifications.models import Notification, Recipient
from training import selectors
from training.services.assignments import create_assignment
from training.services.reminders import send_due_reminders

from .conftest import make_person


def keys():
    return list(
        Notification.objects.filter(event_type__startswith="training.")
        .order_by("created_at", "pk")
        .values_list("event_type", "event_key")
    )


def test_reminders_follow_the_due_date(course, units, clock_offset):
    nurse = make_person("nurse", unit=units.centre)
    due = selectors.today() + datetime.timedelta(days=10)
    create_assignment(course=course.course, unit=units.centre, due_date=due)
    enrolment = nurse.enrolments.get()
    assert keys() == [
        ("training.assigned", f"training.assigned:{enrolment.pk}:{enrolment.assignment_id}")
    ]
    base = f"{enrolment.pk}:{due.isoformat()}"

    expected = {
        0: [],
        2: [],  # 8 days before: too early
        3: [("training.due", f"training.due:{base}:before")],
        4: [],  # already reminded this week
        9: [],
        10: [("training.due", f"training.due:{base}:day")],
        11: [],
        16: [],  # 6 days overdue
        17: [("training.overdue", f"training.overdue:{base}:w1")],
        18: [],
        24: [("training.overdue", f"training.overdue:{base}:w2")],
    }
    for day, wanted in expected.items():
        clock_offset(days=day)
        before = len(keys())
        send_due_reminders()
        send_due_reminders()  # the job may run many times a day: still once
        assert keys()[before:] == wanted, f"day {day}"

    reminder = Notification.objects.get(event_key=f"training.overdue:{base}:w1")
    assert Recipient.objects.filter(notification=reminder, user=nurse.user).exists()
    assert "Infection prevention" in reminder.message_en
    assert reminder.message_km and reminder.message_km != reminder.message_en
    assert reminder.url == course.course.url


def test_completed_training_is_not_reminded(course, units, clock_offset):
    nurse = make_person("nurse", unit=units.centre)
    due = selectors.today() + datetime.timedelta(days=3)
    create_assignment(course=course.course, unit=units.centre, due_date=due)
    nurse.enrolments.update(completed_at=selectors.clock.now())
    clock_offset(days=20)
    assert send_due_reminders() == 0
    assert [t for t, _k in keys()] == ["training.assigned"]
