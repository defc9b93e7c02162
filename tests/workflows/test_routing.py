"""Routing through the directory, the condition, versioning and the built-in definitions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from collab.core.clock import now
from collab.notifications.models import Notification
from collab.workflows import builtin, engine, services
from collab.workflows.models import Entry, Request, Step

from .conftest import LEAVE

pytestmark = pytest.mark.django_db


def _start(world, definition=None, **data):
    return services.start_request(person=world.nurse, definition=definition or world.leave,
                                  data={**LEAVE, **data})


def _open(request):
    return list(request.steps.filter(status=Step.Status.OPEN))


def _approve(step, person):
    return services.decide(person=person, step=step, decision="approved")


def test_a_short_leave_needs_the_unit_head_only(world):
    request = _start(world, days="2")
    [step] = _open(request)
    assert (step.task_name, step.role, step.unit) == ("unit_head", "unit-head", world.org.centre)
    assert list(step.assignees.all()) == [world.head]
    [note] = Notification.objects.filter(event_type="workflow.step_opened")
    assert list(note.inbox_entries.values_list("user__username", flat=True)) == ["centrehead"]
    assert note.url == f"/workflows/requests/{request.pk}/"
    assert note.message_en == "Leave request from Nurse Test is waiting for you"
    assert note.message_km == "សំណើសុំច្បាប់ ពី Nurse Test កំពុងរង់ចាំអ្នក"

    _approve(step, world.head)
    request.refresh_from_db()
    assert request.status == Request.Status.APPROVED and not _open(request)
    told = Notification.objects.get(event_type="workflow.request_completed")
    assert list(told.inbox_entries.values_list("user__username", flat=True)) == ["nurse"]
    assert list(request.entries.values_list("kind", flat=True)) == [
        "submitted", "approved", "completed"]


def test_more_than_three_days_adds_the_approver_of_the_unit_above(world):
    request = _start(world, days="4")
    [first] = _open(request)
    _approve(first, world.head)
    request.refresh_from_db()
    assert request.status == Request.Status.RUNNING
    [second] = _open(request)
    assert (second.task_name, second.role, second.unit) == (
        "parent_approver", "approver", world.org.od)
    assert list(second.assignees.all()) == [world.od_approver]
    _approve(second, world.od_approver)
    request.refresh_from_db()
    assert request.status == Request.Status.APPROVED


def test_the_acting_holder_acts_while_the_holder_is_away(world):
    post = world.head_post
    post.acting_holder, post.acting_from = world.deputy, now() - timedelta(hours=1)
    post.acting_until = now() + timedelta(days=3)
    post.save()
    request = _start(world)
    [step] = _open(request)
    assert list(step.assignees.all()) == [world.deputy]
    with pytest.raises(PermissionDenied):
        _approve(step, world.head)
    _approve(step, world.deputy)
    request.refresh_from_db()
    assert request.status == Request.Status.APPROVED


def test_a_vacant_post_routes_up_the_tree(world):
    world.head_post.holder = None
    world.head_post.save()
    [step] = _open(_start(world))
    assert list(step.assignees.all()) == [world.org.people["odhead"]]


def test_the_purchase_threshold_adds_the_director_above(world):
    small = _start(world, world.purchase, item="Paper", amount_riel="4000000",
                   justification="Forms")
    _approve(_open(small)[0], world.head)
    small.refresh_from_db()
    assert small.status == Request.Status.APPROVED
    large = _start(world, world.purchase, item="Fridge", amount_riel="4000001",
                   justification="Vaccines")
    _approve(_open(large)[0], world.head)
    [director] = _open(large)
    assert director.unit == world.org.od and list(director.assignees.all()) == [
        world.org.people["odhead"]]


def test_a_running_request_finishes_under_its_version(world):
    old = _start(world, days="5")
    v1 = old.version
    bpmn = v1.bpmn.replace("days &gt; 3", "days &gt; 30")
    v2 = services.publish_version(definition=world.leave, bpmn=bpmn,
                                  process_id=v1.process_id, form=v1.form)
    assert (v1.number, v2.number) == (1, 2)
    new = _start(world, days="5")
    assert new.version == v2
    _approve(_open(new)[0], world.head)
    _approve(_open(old)[0], world.head)
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.status == Request.Status.APPROVED  # v2: 5 days is not more than 30
    assert old.status == Request.Status.RUNNING  # v1: still goes to the unit above
    assert _open(old)[0].task_name == "parent_approver"


def test_installing_the_builtins_again_publishes_nothing_new(world):
    builtin.install()
    assert world.leave.versions.count() == 1 and world.purchase.versions.count() == 1


def test_nobody_to_act_refuses_the_request_and_stores_nothing(world):
    world.org.centre.positions.update(role_tags="")
    world.org.od.positions.update(role_tags="")
    with pytest.raises(ValidationError, match="Nobody in the directory"):
        _start(world)
    assert Request.objects.count() == 0 and Notification.objects.count() == 0


def test_bad_form_input_names_the_fields(world):
    with pytest.raises(ValidationError) as caught:
        _start(world, days="0", leave_type="holiday", first_day="")
    assert set(caught.value.message_dict) == {"days", "leave_type", "first_day"}
    assert Request.objects.count() == 0


def test_a_definition_scoped_to_another_unit_cannot_be_started(world):
    world.leave.scope = world.org.hospital
    world.leave.save()
    with pytest.raises(PermissionDenied):
        _start(world)
    paediatrician = world.org.people["paed"]  # works at the hospital
    request = services.start_request(person=paediatrician, definition=world.leave, data=LEAVE)
    assert request.unit == world.org.hospital
    assert list(_open(request)[0].assignees.all()) == [world.org.people["head"]]


@pytest.mark.parametrize("change, problem", [
    ('<bpmn:userTask id="unit_head"', "scripts are not allowed"),
    ('<spiffworkflow:property name="role" value="unit-head"/>', "needs a 'role' property"),
    ('<spiffworkflow:property name="unit" value="requester"/>', "'unit' must be one of"),
    ("days &gt; 3", "may not use '__'"),
])
def test_unsafe_or_incomplete_diagrams_are_refused(world, change, problem):
    replacement = {
        '<bpmn:userTask id="unit_head"': '<bpmn:scriptTask id="unit_head"',
        '<spiffworkflow:property name="role" value="unit-head"/>': "",
        '<spiffworkflow:property name="unit" value="requester"/>':
            '<spiffworkflow:property name="unit" value="ministry"/>',
        "days &gt; 3": "days.__class__ is int",
    }[change]
    bpmn = world.leave.versions.get().bpmn.replace(change, replacement)
    if "scriptTask" in replacement:
        bpmn = bpmn.replace("</bpmn:userTask>", "</bpmn:scriptTask>", 1)
    assert any(problem in p for p in engine.check(bpmn, "leave_request"))
    with pytest.raises(ValidationError):
        services.publish_version(definition=world.leave, bpmn=bpmn, process_id="leave_request",
                                 form=builtin.LEAVE_FORM)
    assert world.leave.versions.count() == 1
    assert Entry.objects.count() == 0
