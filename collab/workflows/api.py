"""/api/v1/workflows/: definitions, start a request, my inbox, act on a step."""

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from collab.core.bounds import Id, StrictBody
from collab.directory.models import Person
from collab.directory.selectors import person_for_user

from . import selectors, services
from .models import Definition, Request, Step

router = Router(tags=["workflows"])
INBOX_LIMIT = 200


class ErrorOut(Schema):
    message: str


class DefinitionOut(Schema):
    key: str
    name_en: str
    name_km: str
    version: int
    fields: list[dict] = Field(description="The form: name, kind, label_en, label_km, ...")


class StepOut(Schema):
    id: int
    request: int
    task: str
    title_en: str
    title_km: str
    role: str
    unit: str = Field(description="org unit code")
    status: str
    opened_at: datetime
    decided_at: datetime | None
    reason: str


class RequestOut(Schema):
    id: int
    definition: str
    version: int
    status: str
    data: dict
    created_at: datetime
    steps: list[StepOut]


class StartIn(StrictBody):
    definition: str = Field(min_length=1, max_length=64, description="definition key")
    data: dict = Field(description="the form's fields by name")


class DecisionIn(StrictBody):
    decision: Literal["approved", "returned", "rejected"]
    reason: str = Field("", max_length=2000, description="needed to return or reject; "
                        "the minute of a step that asks for one")
    forward_to: str = Field("", max_length=64, description="employee id of the person a "
                            "forwarding step (the incoming letter's minute) sends it to")


class DelegationIn(StrictBody):
    to: str = Field(min_length=1, max_length=64, description="employee id of the new assignee")
    note: str = Field("", max_length=2000)


class DecisionOut(Schema):
    step: StepOut
    counted: bool = Field(description="false when the same decision had already been made")


def _person(request: HttpRequest):
    person = person_for_user(request.user)
    if person is None or not person.active:
        raise HttpError(403, "Only people in the directory use workflows.")
    return person


def _step(step: Step) -> dict:
    return {
        "id": step.pk, "request": step.request_id, "task": step.task_name,
        "title_en": step.title_en, "title_km": step.title_km, "role": step.role,
        "unit": step.unit.code, "status": step.status, "opened_at": step.opened_at,
        "decided_at": step.decided_at, "reason": step.reason,
    }


def _request(wf_request: Request) -> dict:
    return {
        "id": wf_request.pk, "definition": wf_request.version.definition.key,
        "version": wf_request.version.number, "status": wf_request.status,
        "data": wf_request.data, "created_at": wf_request.created_at,
        "steps": [_step(s) for s in wf_request.steps.select_related("unit")],
    }


def _invalid(exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    fields = [{"field": f, "message": " ".join(m)} for f, m in errors.items()]
    text = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return Status(422, {"message": f"Invalid input: {text}", "errors": fields})


def _act_on_step(act: Callable[[], tuple[Step, bool]]):
    """Run a decision or a delegation; map its errors to the answers the schema lists
    (403 not yours, 409 already decided, 422 invalid)."""
    try:
        step, counted = act()
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except services.Conflict as exc:
        return Status(409, {"message": str(exc)})
    except ValidationError as exc:
        return _invalid(exc)
    return {"step": _step(Step.objects.select_related("unit").get(pk=step.pk)),
            "counted": counted}


@router.get("/definitions", response=list[DefinitionOut])
def definitions(request: HttpRequest):
    """The definitions the caller may start, each with its current form."""
    out = []
    for definition in selectors.usable_definitions(person=_person(request)):
        version = selectors.current_version(definition=definition)
        out.append({"key": definition.key, "name_en": definition.name_en,
                    "name_km": definition.name_km, "version": version.number,
                    "fields": version.form})
    return out


@router.post("/requests", response={201: RequestOut, 404: ErrorOut, 422: dict})
def start(request: HttpRequest, payload: StartIn):
    """Start a request on the current version of a definition."""
    person = _person(request)
    definition = get_object_or_404(Definition, key=payload.definition, active=True)
    try:
        started = services.start_request(person=person, definition=definition,
                                         data=payload.data)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _request(started))


@router.get("/requests/{request_id}", response=RequestOut)
def request_detail(request: HttpRequest, request_id: Id):
    wf_request = get_object_or_404(Request.objects.select_related("version__definition"),
                                   pk=request_id)
    if not selectors.can_view(person=_person(request), request=wf_request):
        raise HttpError(404, "Not found.")
    return _request(wf_request)


@router.get("/inbox", response=list[StepOut])
def inbox(request: HttpRequest):
    """Open steps waiting for the caller, oldest first (at most 200)."""
    steps = selectors.waiting_for(person=_person(request)).select_related("unit")
    return [_step(s) for s in steps[:INBOX_LIMIT]]


@router.post("/steps/{step_id}/decision", response={200: DecisionOut, 409: ErrorOut, 422: dict})
def decide(request: HttpRequest, step_id: Id, payload: DecisionIn):
    """Approve, return or reject a step. Sending the same decision again changes nothing
    (`counted: false`); another decision on a decided step is a 409."""
    person = _person(request)
    step = get_object_or_404(Step, pk=step_id)
    forward_to = None
    if payload.forward_to:
        forward_to = Person.objects.filter(employee_id=payload.forward_to, active=True).first()

    def decide_step():
        if payload.forward_to and forward_to is None:
            raise ValidationError({"forward_to": "No active person has this employee id."})
        return services.decide(person=person, step=step, decision=payload.decision,
                               reason=payload.reason, forward_to=forward_to)

    return _act_on_step(decide_step)


@router.post("/steps/{step_id}/delegation",
             response={200: DecisionOut, 409: ErrorOut, 422: dict})
def delegate(request: HttpRequest, step_id: Id, payload: DelegationIn):
    """Hand an open step to another holder of its role (in its unit or below). The same
    delegation sent again changes nothing (`counted: false`)."""
    person = _person(request)
    step = get_object_or_404(Step, pk=step_id)
    to = Person.objects.filter(employee_id=payload.to, active=True).first()

    def hand_on():
        if to is None:
            raise ValidationError({"to": "No active person has this employee id."})
        return services.delegate(person=person, step=step, to=to, reason=payload.note)

    return _act_on_step(hand_on)


class UnitRequestOut(Schema):
    id: int
    definition: str
    version: int
    status: str
    requester: str = Field(description="the requester's employee id")
    unit: str = Field(description="org unit code of the requester's unit")
    created_at: datetime
    updated_at: datetime


@router.get("/unit-requests", response={200: list[UnitRequestOut], 403: ErrorOut})
def unit_requests(request: HttpRequest, status: Request.Status | None = None):
    """Requests started in the units the caller heads and the units below them, newest
    first (at most 200); 403 for someone who heads no unit."""
    units = selectors.headed_units(person=_person(request))
    if not units:
        return Status(403, {"message": "Only unit heads see their unit's requests."})
    requests = selectors.unit_requests(units=units)
    if status:
        requests = requests.filter(status=status)
    return [{"id": r.pk, "definition": r.version.definition.key, "version": r.version.number,
             "status": r.status, "requester": r.requester.employee_id, "unit": r.unit.code,
             "created_at": r.created_at, "updated_at": r.updated_at}
            for r in requests[:INBOX_LIMIT]]
