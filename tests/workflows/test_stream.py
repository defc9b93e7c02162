"""The live inbox events each write stores in the durable stream, and who gets them."""

import pytest
from django.core.exceptions import PermissionDenied

from collab.workflows import services
from collab.workflows.models import Step
from realtime.models import Event
from tests.notifications.factories import person, position

from .conftest import LEAVE

pytestmark = pytest.mark.django_db


def _events(since: int = 0) -> list[tuple[str, str, int | None]]:
    return [(e.type, e.user.username, e.payload.get("step"))
            for e in Event.objects.filter(seq__gt=since, type__startswith="workflow.")
            .select_related("user").order_by("seq")]


def _last() -> int:
    return Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_a_request_opens_moves_and_closes_in_the_inboxes(world):
    # Someone the OD's approver may hand a step to: an approver in a unit below the OD.
    deputy = person("rhapprover")
    position(world.org.hospital, deputy, "approver", "Hospital deputy director")
    request = services.start_request(person=world.nurse, definition=world.leave,
                                     data={**LEAVE, "days": "5"})
    first = request.steps.get()
    # The centre head's inbox gains the step; the requester and every head above the
    # centre (their "My unit's requests") hear of the new request.
    assert sorted(_events()) == [
        ("workflow.request_changed", "centrehead", None),
        ("workflow.request_changed", "nurse", None),
        ("workflow.request_changed", "odhead", None),
        ("workflow.step_opened", "centrehead", first.pk),
    ]
    frame = Event.objects.get(type="workflow.step_opened").frame()
    assert frame["definition"] == {"en": "Leave request", "km": "សំណើសុំច្បាប់"}
    assert frame["title"] == {"en": "Unit head approves", "km": "ប្រធានអង្គភាពអនុម័ត"}
    assert frame["url"] == f"/workflows/requests/{request.pk}/"
    assert frame["seq"] > 0 and frame["due_at"]

    since = _last()
    services.decide(person=world.head, step=first, decision="approved")
    second = request.steps.get(status=Step.Status.OPEN)
    assert _events(since) == [
        ("workflow.step_opened", "odapprover", second.pk),
        ("workflow.step_closed", "centrehead", first.pk),
    ]  # still running: no request_changed

    since = _last()
    services.delegate(person=world.od_approver, step=second, to=deputy)
    assert _events(since) == [
        ("workflow.step_opened", "rhapprover", second.pk),
        ("workflow.step_closed", "odapprover", second.pk),
    ]

    since = _last()
    with pytest.raises(PermissionDenied):
        services.decide(person=world.od_approver, step=second, decision="approved")
    services.decide(person=deputy, step=second, decision="approved")
    assert sorted(_events(since)) == [
        ("workflow.request_changed", "centrehead", None),
        ("workflow.request_changed", "nurse", None),
        ("workflow.request_changed", "odhead", None),
        ("workflow.step_closed", "rhapprover", second.pk),
    ]


def test_a_repeated_decision_publishes_nothing_twice(world):
    request = services.start_request(person=world.nurse, definition=world.leave, data=LEAVE)
    step = request.steps.get()
    services.decide(person=world.head, step=step, decision="rejected", reason="Busy week")
    since = _last()
    assert services.decide(person=world.head, step=step, decision="rejected",
                           reason="Busy week") == (step, False)
    assert _events(since) == []
    changed = Event.objects.filter(type="workflow.request_changed",
                                   user__username="nurse").last().frame()
    assert (changed["status"], changed["status_label"]) == (
        "rejected", {"en": "Rejected", "km": changed["status_label"]["km"]})
    assert changed["status_label"]["km"] != "Rejected"
