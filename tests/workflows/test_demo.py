"""The built-in definitions end to end on the demo directory (``seed_demo``)."""

import io

import pytest
from django.core.management import call_command

from collab.directory.demo import demo_person
from collab.workflows import services
from collab.workflows.models import Definition, Request, Step

pytestmark = pytest.mark.django_db


def _decide_all(request, decision="approved"):
    for step in request.steps.filter(status=Step.Status.OPEN):
        services.decide(person=step.assignees.first(), step=step, decision=decision)


def test_demo_leave_and_purchase_requests_run_to_the_end():
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    leave = Definition.objects.get(key="leave-request")
    assert leave.name_km == "សំណើសុំច្បាប់" and leave.versions.count() == 1
    doctor, manager = demo_person("doctor"), demo_person("manager")

    request = services.start_request(person=doctor, definition=leave, data={
        "leave_type": "sick", "first_day": "2026-12-21", "days": "5", "reason": ""})
    [head_step] = request.steps.all()
    assert list(head_step.assignees.all()) == [manager]  # the hospital's director
    _decide_all(request)
    [above] = request.steps.filter(status=Step.Status.OPEN)
    assert above.unit == request.unit.parent and above.assignees.exists()
    _decide_all(request)
    request.refresh_from_db()
    assert request.status == Request.Status.APPROVED

    purchase = Definition.objects.get(key="purchase-request")
    bought = services.start_request(person=doctor, definition=purchase, data={
        "item": "Oxygen concentrator", "amount_riel": "8000000", "justification": "Ward 2"})
    _decide_all(bought)
    [director] = bought.steps.filter(status=Step.Status.OPEN)
    assert director.task_name == "parent_director"
