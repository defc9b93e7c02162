"""Step SLAs on the suite's clock: a reminder before the step is due, the overdue ladder
after it, and a decision that stops both (one worker pass at a time)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from collab.core import clock
from collab.notifications.escalation import escalate_due
from collab.notifications.models import Delivery, Notification, UserSettings
from collab.workflows import services, sla
from collab.workflows.models import Step
from tests.notifications.factories import person, position

from .conftest import LEAVE

pytestmark = pytest.mark.django_db
HOUR = 3600


def _with_sla(world, props: str):
    """A new version of the leave request whose first step carries ``props``."""
    current = world.leave.versions.order_by("-number").first()
    marker = '<spiffworkflow:property name="role" value="unit-head"/>'
    return services.publish_version(definition=world.leave, process_id=current.process_id,
                                    bpmn=current.bpmn.replace(marker, marker + props),
                                    form=current.form)


def _start(world, **data):
    request = services.start_request(person=world.nurse, definition=world.leave,
                                     data={**LEAVE, **data})
    return request, request.steps.get(status=Step.Status.OPEN)


def _inbox(event_type: str) -> list[str]:
    entries = Notification.objects.filter(event_type=event_type).values_list(
        "inbox_entries__user__username", flat=True).order_by("inbox_entries__pk")
    return [name for name in entries if name]


SLA_8H = ('<spiffworkflow:property name="sla_hours" value="8"/>'
          '<spiffworkflow:property name="remind_hours" value="2"/>')


def test_reminder_then_overdue_ladder_up_the_tree(world):
    _with_sla(world, SLA_8H)
    position(world.org.phd, person("phdhead"), "unit-head", "PHD director")
    _request, step = _start(world)
    assert step.due_at == step.opened_at + timedelta(hours=8)

    clock.set_offset(6 * HOUR - 60)
    assert sla.send_due() == 0
    clock.set_offset(6 * HOUR)
    assert sla.send_due() == 1
    assert _inbox("workflow.step_due_soon") == ["centrehead"]
    [reminder] = Notification.objects.filter(event_type="workflow.step_due_soon")
    assert reminder.message_en == (f"Leave request #{step.request_id} from Nurse Test is due "
                                   "soon: Unit head approves")
    assert sla.send_due() == 0  # sent once

    clock.set_offset(8 * HOUR)
    assert sla.send_due() == 1
    assert _inbox("workflow.step_overdue") == ["centrehead"]
    # The step is the centre head's own: the ladder starts with the head above them.
    escalate_due()
    assert _inbox("workflow.step_overdue") == ["centrehead", "odhead"]
    clock.set_offset(16 * HOUR - 60)
    assert escalate_due() == 0
    clock.set_offset(16 * HOUR)
    escalate_due()
    assert _inbox("workflow.step_overdue") == ["centrehead", "odhead", "phdhead"]
    assert sla.send_due() == 0 and escalate_due() == 0


def test_a_decision_stops_the_reminder_and_the_ladder(world):
    _with_sla(world, SLA_8H)
    _request, first = _start(world)
    services.decide(person=world.head, step=first, decision="approved")
    clock.set_offset(10 * HOUR)
    assert sla.send_due() == 0
    assert not Notification.objects.filter(event_type__startswith="workflow.step_due").exists()

    _request, second = _start(world)
    clock.set_offset(18 * HOUR)
    assert sla.send_due() == 1  # reminder and overdue at once for a late worker: overdue
    escalate_due()
    assert _inbox("workflow.step_overdue") == ["centrehead", "odhead"]
    services.decide(person=world.head, step=second, decision="rejected", reason="Too busy")
    overdue = Notification.objects.get(event_type="workflow.step_overdue")
    assert overdue.next_escalation_at is None
    clock.set_offset(60 * HOUR)
    assert escalate_due() == 0 and sla.send_due() == 0
    assert _inbox("workflow.step_overdue") == ["centrehead", "odhead"]


def test_a_step_of_someone_below_the_head_escalates_to_their_own_head(world):
    _with_sla(world, "")  # the default SLA on the first step
    _request, first = _start(world, days="5")
    assert first.due_at == first.opened_at + timedelta(hours=sla.DEFAULT_SLA_HOURS)
    services.decide(person=world.head, step=first, decision="approved")
    second = Step.objects.get(status=Step.Status.OPEN)  # the OD's approver
    assert list(second.assignees.all()) == [world.od_approver]
    clock.set_offset(sla.DEFAULT_SLA_HOURS * HOUR + 1)
    assert sla.send_due() == 1
    escalate_due()
    assert _inbox("workflow.step_overdue") == ["odapprover", "odhead"]


def test_the_reminder_email_waits_for_the_end_of_quiet_hours(world):
    _with_sla(world, SLA_8H)
    _request, step = _start(world)
    local = (clock.now() + timedelta(hours=6)).astimezone(ZoneInfo(settings.TIME_ZONE))
    ends = (local + timedelta(hours=2)).replace(second=0, microsecond=0)
    UserSettings.objects.create(user=world.head.user, quiet_start=(local - timedelta(hours=1))
                                .time().replace(second=0, microsecond=0),
                                quiet_end=ends.time())
    clock.set_offset(6 * HOUR)
    sla.send_due()
    email = Delivery.objects.get(notification__event_type="workflow.step_due_soon",
                                 channel="email")
    assert (email.status, email.next_attempt_at) == ("pending", ends)
    in_app = Delivery.objects.get(notification__event_type="workflow.step_due_soon",
                                  channel="in_app")
    assert in_app.status == "sent"


@pytest.mark.parametrize(("props", "problem"), [
    ('<spiffworkflow:property name="sla_hours" value="two days"/>',
     "unit_head: 'sla_hours' must be a number of hours, not 'two days'"),
    ('<spiffworkflow:property name="sla_hours" value="0"/>',
     "unit_head: 'sla_hours' must be more than 0 hours"),
    (SLA_8H.replace('"2"', '"8"'), "unit_head: 'remind_hours' must be less than 'sla_hours'"),
])
def test_a_diagram_with_a_bad_sla_is_refused(world, props, problem):
    with pytest.raises(ValidationError) as caught:
        _with_sla(world, props)
    assert caught.value.message_dict == {"bpmn": [problem]}
    assert world.leave.versions.count() == 1
