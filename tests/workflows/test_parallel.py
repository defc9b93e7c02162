"""Parallel steps: all must approve; a return cancels the other branch."""

import pytest

from collab.workflows import services
from collab.workflows.models import Definition, Request, Step
from tests.notifications.factories import person, position

from .conftest import LEAVE

pytestmark = pytest.mark.django_db


def _task(task_id, role, unit, any_of=""):
    group = f'<spiffworkflow:property name="any_of" value="{any_of}"/>' if any_of else ""
    return f"""<bpmn:userTask id="{task_id}" name="{task_id}"><bpmn:extensionElements>
      <spiffworkflow:properties><spiffworkflow:property name="role" value="{role}"/>
      <spiffworkflow:property name="unit" value="{unit}"/>{group}</spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>to_{task_id}</bpmn:incoming>
      <bpmn:outgoing>from_{task_id}</bpmn:outgoing></bpmn:userTask>"""


def _diagram(*, any_of: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d"
    targetNamespace="https://sahakar.example/workflows">
  <bpmn:process id="both" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>to_fork</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="fork"><bpmn:incoming>to_fork</bpmn:incoming>
      <bpmn:outgoing>to_head</bpmn:outgoing><bpmn:outgoing>to_hr</bpmn:outgoing>
    </bpmn:parallelGateway>
    {_task("head", "unit-head", "requester", any_of)}
    {_task("hr", "hr", "parent", any_of)}
    <bpmn:parallelGateway id="join"><bpmn:incoming>from_head</bpmn:incoming>
      <bpmn:incoming>from_hr</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>to_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="to_fork" sourceRef="start" targetRef="fork"/>
    <bpmn:sequenceFlow id="to_head" sourceRef="fork" targetRef="head"/>
    <bpmn:sequenceFlow id="to_hr" sourceRef="fork" targetRef="hr"/>
    <bpmn:sequenceFlow id="from_head" sourceRef="head" targetRef="join"/>
    <bpmn:sequenceFlow id="from_hr" sourceRef="hr" targetRef="join"/>
    <bpmn:sequenceFlow id="to_end" sourceRef="join" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


BPMN = _diagram()


@pytest.fixture
def both(world):
    hr = person("hr")
    position(world.org.phd, hr, "hr", "HR officer")  # the OD has none: found above it
    definition = Definition.objects.create(key="both", name_en="Both")
    services.publish_version(definition=definition, bpmn=BPMN, process_id="both",
                             form=[{"name": "days", "kind": "number", "label_en": "Days"}])
    return definition, hr


def _steps(request):
    return {s.task_name: s for s in request.steps.all()}


def test_every_parallel_step_must_approve(world, both):
    definition, hr = both
    request = services.start_request(person=world.nurse, definition=definition,
                                     data={"days": LEAVE["days"]})
    steps = _steps(request)
    assert list(steps["hr"].assignees.all()) == [hr] and steps["hr"].unit == world.org.od
    services.decide(person=hr, step=steps["hr"], decision="approved")
    request.refresh_from_db()
    assert request.status == Request.Status.RUNNING
    services.decide(person=world.head, step=steps["head"], decision="approved")
    request.refresh_from_db()
    assert request.status == Request.Status.APPROVED


def test_a_return_cancels_the_other_branch(world, both):
    definition, hr = both
    request = services.start_request(person=world.nurse, definition=definition,
                                     data={"days": "1"})
    steps = _steps(request)
    services.decide(person=world.head, step=steps["head"], decision="returned", reason="Dates?")
    assert Step.objects.get(pk=steps["hr"].pk).status == Step.Status.CANCELLED
    with pytest.raises(services.Conflict):
        services.decide(person=hr, step=steps["hr"], decision="approved")
    services.resubmit(person=world.nurse, request=request, data={"days": "2"})
    assert sorted(s.status for s in request.steps.all()) == [
        "cancelled", "open", "open", "returned"]


def test_in_an_any_one_group_the_first_approval_settles_the_others(world, both):
    _definition, hr = both
    definition = Definition.objects.create(key="either", name_en="Either")
    services.publish_version(definition=definition, bpmn=_diagram(any_of="chiefs"),
                             process_id="both", form=[])
    request = services.start_request(person=world.nurse, definition=definition, data={})
    steps = _steps(request)
    assert {s.status for s in steps.values()} == {Step.Status.OPEN}
    services.decide(person=hr, step=steps["hr"], decision="approved")
    request.refresh_from_db()
    assert request.status == Request.Status.APPROVED
    steps = _steps(request)
    assert steps["head"].status == Step.Status.CANCELLED
    with pytest.raises(services.Conflict):
        services.decide(person=world.head, step=steps["head"], decision="approved")
