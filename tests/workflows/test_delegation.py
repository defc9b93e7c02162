"""Delegating a step to another holder of its role, and steps of people who left."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from collab.directory.models import OrgUnit
from collab.notifications.models import Notification
from collab.workflows import services
from collab.workflows.models import Entry, Request, Step
from tests.notifications.factories import position

from .conftest import LEAVE

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_chief(world):
    """The deputy also heads the health centre's maternity ward, a unit below the centre."""
    ward = OrgUnit.objects.create(code="HC-MAT", kind="office", name_en="Maternity",
                                  name_km="សម្ភព", parent=world.org.centre)
    position(ward, world.deputy, "unit-head", "Ward chief")
    return world.deputy


def _leave(world):
    request = services.start_request(person=world.nurse, definition=world.leave, data=LEAVE)
    [step] = request.steps.filter(status=Step.Status.OPEN)
    return request, step


def _told(username: str) -> list[str]:
    return list(
        Notification.objects.filter(inbox_entries__user__username=username)
        .order_by("pk").values_list("event_type", flat=True)
    )


def test_a_step_handed_to_another_holder_of_its_role_is_theirs_alone(world, second_chief):
    request, step = _leave(world)
    step, counted = services.delegate(person=world.head, step=step, to=second_chief,
                                      reason="I am away this week")
    assert counted
    assert list(step.assignees.all()) == [second_chief]
    assert _told("deputy") == ["workflow.step_opened"]
    entry = request.entries.get(kind=Entry.Kind.DELEGATED)
    assert (entry.person, entry.to, entry.reason) == (world.head, second_chief,
                                                     "I am away this week")
    # The same delegation again (a double click) counts once and tells nobody twice.
    assert services.delegate(person=world.head, step=step, to=second_chief)[1] is False
    assert _told("deputy") == ["workflow.step_opened"]
    with pytest.raises(PermissionDenied):
        services.decide(person=world.head, step=step, decision="approved")
    services.decide(person=second_chief, step=step, decision="approved")
    request.refresh_from_db()
    assert request.status == Request.Status.APPROVED


def test_a_step_cannot_go_to_someone_without_its_role_nor_be_handed_by_an_outsider(world):
    request, step = _leave(world)
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.delegate(person=world.head, step=step, to=world.deputy)
    assert "does not hold the role" in refused.value.message_dict["to"][0]
    with pytest.raises(PermissionDenied):
        services.delegate(person=world.nurse, step=step, to=world.head)
    assert list(step.assignees.all()) == [world.head]
    assert not request.entries.filter(kind=Entry.Kind.DELEGATED).exists()


def test_the_request_page_hands_a_step_over(world, second_chief, client):
    request, step = _leave(world)
    client.force_login(world.head.user)
    page = client.get(f"/workflows/requests/{request.pk}/")
    assert f'data-delegate="{step.pk}"' in page.content.decode()
    answer = client.post(f"/workflows/requests/{request.pk}/", {
        "action": "delegate", "step": step.pk, "to": second_chief.pk, "note": "Away",
    }, follow=True)
    assert answer.status_code == 200
    assert list(step.assignees.all()) == [second_chief]
    html = answer.content.decode()
    assert f"→ {second_chief.name()}" in html and 'data-kind="delegated"' in html
    # Someone who is not a holder of the role is refused, and nothing changes.
    client.force_login(second_chief.user)
    client.post(f"/workflows/requests/{request.pk}/", {
        "action": "delegate", "step": step.pk, "to": world.nurse.pk})
    assert list(step.assignees.all()) == [second_chief]


def test_the_api_hands_a_step_over_by_employee_id(world, second_chief, client):
    request, step = _leave(world)
    client.force_login(world.head.user)
    url = f"/api/v1/workflows/steps/{step.pk}/delegation"
    unknown = client.post(url, {"to": "E-nobody"}, content_type="application/json")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "to"
    done = client.post(url, {"to": second_chief.employee_id}, content_type="application/json")
    assert done.status_code == 200 and done.json()["counted"] is True
    again = client.post(url, {"to": second_chief.employee_id}, content_type="application/json")
    assert again.json()["counted"] is False
    client.force_login(world.nurse.user)
    assert client.post(url, {"to": world.head.employee_id},
                       content_type="application/json").status_code == 403


def test_the_step_of_someone_who_left_goes_up_the_tree_and_the_requester_is_told(world):
    request, step = _leave(world)
    world.head.active = False
    world.head.save(update_fields=["active"])
    assert services.pass_on_steps_of_people_who_left() == 1
    odhead = world.org.people["odhead"]
    assert list(step.assignees.all()) == [odhead]
    assert _told("odhead") == ["workflow.step_opened"]
    assert _told("nurse") == ["workflow.request_reassigned"]
    entry = request.entries.get(kind=Entry.Kind.REASSIGNED)
    assert (entry.person, entry.to) == (world.head, odhead)
    assert services.pass_on_steps_of_people_who_left() == 0  # nothing left to move
    services.decide(person=odhead, step=step, decision="approved")
    request.refresh_from_db()
    assert request.status == Request.Status.APPROVED


def test_when_others_were_asked_too_they_keep_the_step(world, second_chief):
    request, step = _leave(world)
    step.assignees.add(second_chief)
    world.head.active = False
    world.head.save(update_fields=["active"])
    services.pass_on_steps_of_people_who_left()
    assert list(step.assignees.all()) == [second_chief]
    assert _told("deputy") == []  # already asked: no second "waiting for you"


def test_when_nobody_is_left_to_act_the_requester_is_told(world):
    request, step = _leave(world)
    for username in ("centrehead", "odhead"):
        world.org.people[username].active = False
        world.org.people[username].save(update_fields=["active"])
    services.pass_on_steps_of_people_who_left()
    assert not step.assignees.exists()
    [note] = Notification.objects.filter(event_type="workflow.request_reassigned")
    assert "Nobody in the directory can act" in note.message_en
