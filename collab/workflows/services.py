"""Writes of workflow requests: start, decide, delegate, resubmit, pass on the steps of people
who left; and publishing a definition version.

Each write runs in one transaction with the request row locked, and tells the people who
must act (or the requester) through ``notifications.emit`` in that transaction."""

import logging
import re
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from collab.core.clock import now
from collab.directory.models import Person
from collab.directory.selectors import who_must_act
from collab.notifications.services import Text, emit

from . import attachments, engine, registry, routing, selectors, sla, stream
from .fields import compute
from .forms import as_json, check_fields, request_form
from .models import Definition, Entry, Request, Step, Version

logger = logging.getLogger(__name__)
DECISIONS = (Step.Status.APPROVED, Step.Status.RETURNED, Step.Status.REJECTED)


class Conflict(Exception):
    """The request or step is no longer in a state that allows this."""


def publish_version(*, definition: Definition, bpmn: str, process_id: str, form: list) -> Version:
    """A new version of ``definition``; requests already running keep theirs."""
    problems = engine.check(bpmn, process_id) + check_fields(form)
    if problems:
        raise ValidationError({"bpmn": problems})
    with transaction.atomic():
        Definition.objects.select_for_update().get(pk=definition.pk)
        latest = selectors.current_version(definition=definition)
        return Version.objects.create(
            definition=definition, number=(latest.number + 1) if latest else 1, bpmn=bpmn,
            process_id=process_id, form=form, created_at=now(),
        )


def _clean(version: Version, data: Mapping, files: Mapping | None = None,
           initial: Mapping | None = None) -> tuple[dict, dict]:
    """(the request's data, the uploads of its file fields, each with its checked kind).
    A file field left empty keeps its ``initial`` file (sending a request again)."""
    form = request_form(version.form, data=data, files=files, initial=initial)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    uploads = {name: (upload, attachments.check(upload, field=name))
               for name, upload in form.cleaned_data.items() if hasattr(upload, "read")}
    return compute(version.form, as_json(form.cleaned_data)), uploads


def _attach(request: Request, person: Person, uploads: dict) -> None:
    for name, (upload, kind) in uploads.items():
        attachments.store(request=request, person=person, upload=upload, kind=kind, field=name)


def _url(request: Request) -> str:
    return reverse("workflows:request", args=[request.pk])


def _entry(request: Request, kind: str, at, person: Person | None = None, step=None,
           reason: str = "", to: Person | None = None) -> Entry:
    return Entry.objects.create(request=request, kind=kind, person=person, step=step,
                                reason=reason, at=at, to=to)


def _open_step(request: Request, task, at) -> None:
    props = engine.properties(task.task_spec)
    unit = request.unit
    if props.get("unit") == "parent" and unit.parent_id:
        unit = unit.parent
    people = routing.chosen_people(request=request, props=props)
    if people is None:
        people = who_must_act(role=props["role"], unit=unit, at=at)
    title = task.task_spec.bpmn_name or task.task_spec.name
    if not people:
        raise ValidationError(_("Nobody in the directory can act on the step “%(step)s”.")
                              % {"step": title})
    due_at, remind_at = sla.schedule(props, at)
    step = Step.objects.create(
        request=request, task_id=task.id, task_name=task.task_spec.name, title_en=title,
        title_km=props.get("name_km", ""), role=props.get("role", ""), unit=unit,
        status=Step.Status.OPEN, opened_at=at, due_at=due_at, next_sla_at=remind_at,
    )
    step.assignees.set(people)
    _tell_assignees(request, step, people, key="opened")


def _tell_assignees(request: Request, step: Step, people: list[Person], *, key: str) -> None:
    emit(
        event_type="workflow.step_opened",
        event_key=f"workflow-step:{step.pk}:{key}",
        org_unit=step.unit,
        people=people,
        message=Text(_("%(definition)s from %(requester)s is waiting for you"),
                     definition=request.version.definition.name,
                     requester=request.requester.name),
        url=_url(request),
    )


def _tell_requester(request: Request, entry: Entry, message) -> None:
    emit(
        event_type=f"workflow.request_{entry.kind}",
        event_key=f"workflow-entry:{entry.pk}",
        org_unit=request.unit,
        people=[request.requester],
        message=Text(message, definition=request.version.definition.name),
        url=_url(request),
    )


def _advance(request: Request, workflow, at) -> None:
    """Open a step for each user task the engine is waiting on; close a finished request."""
    known = set(request.steps.values_list("task_id", flat=True))
    for task in engine.open_tasks(workflow):
        if task.id not in known:
            _open_step(request, task, at)
    request.engine_state = engine.dump(workflow)
    if workflow.is_completed():
        request.status = Request.Status.APPROVED
        entry = _entry(request, Entry.Kind.COMPLETED, at)
        _tell_requester(request, entry, _("Your %(definition)s was approved"))
    request.updated_at = at
    request.save(update_fields=["engine_state", "status", "updated_at"])


def start_request(*, person: Person, definition: Definition, data: Mapping,
                  files: Mapping | None = None) -> Request:
    if not selectors.may_start(person=person, definition=definition):
        raise PermissionDenied("You may not start this kind of request.")
    version = selectors.current_version(definition=definition)
    cleaned, uploads = _clean(version, data, files)
    at = now()
    with transaction.atomic():
        request = Request.objects.create(
            version=version, requester=person, unit=selectors.requester_unit(person=person),
            data=cleaned, status=Request.Status.RUNNING, engine_state="", created_at=at,
            updated_at=at,
        )
        registry.assign_number(request=request)
        watch = stream.Watch(request, new=True)
        _entry(request, Entry.Kind.SUBMITTED, at, person=person)
        _attach(request, person, uploads)
        _advance(request, engine.start(bpmn=version.bpmn, process_id=version.process_id,
                                       data=cleaned), at)
        watch.publish()
    return request


def _close_group(request: Request, workflow, approved: Step, group: str, at) -> None:
    """One approval in an "any one" group settles the group's other open steps."""
    for other in request.steps.filter(status=Step.Status.OPEN).exclude(pk=approved.pk):
        if engine.any_of(workflow, other.task_id) == group:
            engine.complete(workflow, other.task_id, {f"{other.task_name}_decision": "not_needed"})
            other.status, other.decided_at = Step.Status.CANCELLED, at
            other.save(update_fields=["status", "decided_at"])


def _locked(step: Step) -> tuple[Request, Step]:
    request = Request.objects.select_for_update().select_related(
        "version__definition", "unit", "requester"
    ).get(pk=step.request_id)
    return request, Step.objects.select_related("unit").get(pk=step.pk)


def decide(*, person: Person, step: Step, decision: str, reason: str = "",
           forward_to: Person | None = None) -> tuple[Step, bool]:
    """Record ``person``'s decision on ``step``. Returns (step, counted): the same decision
    by the same person sent again is not counted twice; another one after it → Conflict."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose approve, reject or return.")})
    reason = reason.strip()
    with transaction.atomic():
        request, step = _locked(step)
        if not step.assignees.filter(pk=person.pk).exists():
            raise PermissionDenied("This step is not yours to decide.")
        if step.status != Step.Status.OPEN:
            if step.status == decision and step.decided_by_id == person.pk:
                return step, False
            raise Conflict("This step was already decided.")
        if decision != Step.Status.APPROVED and not reason:
            raise ValidationError({"reason": _("Say why.")})
        workflow = engine.load(request.engine_state)
        if decision == Step.Status.APPROVED:
            routing.check_approval(step=step, reason=reason, forward_to=forward_to, props=(
                engine.properties(workflow.get_task_from_id(step.task_id).task_spec)))
        watch = stream.Watch(request)
        at = now()
        step.status, step.decided_by, step.decided_at, step.reason = decision, person, at, reason
        step.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        entry = _entry(request, decision, at, person=person, step=step, reason=reason,
                       to=forward_to if decision == Step.Status.APPROVED else None)
        if decision == Step.Status.APPROVED:
            group = engine.any_of(workflow, step.task_id)
            engine.complete(workflow, step.task_id, {f"{step.task_name}_decision": decision})
            if group:
                _close_group(request, workflow, step, group, at)
            _advance(request, workflow, at)
        else:
            request.steps.filter(status=Step.Status.OPEN).update(status=Step.Status.CANCELLED)
            request.status, request.updated_at = decision, at
            request.save(update_fields=["status", "updated_at"])
            _tell_requester(request, entry, _("Your %(definition)s was rejected")
                            if decision == Step.Status.REJECTED
                            else _("Your %(definition)s was returned for changes"))
        sla.settle(request=request)
        watch.publish()
    return step, True


def delegate(*, person: Person, step: Step, to: Person, reason: str = "") -> tuple[Step, bool]:
    """``person`` hands their open ``step`` to ``to``, another holder of the step's role
    (``selectors.delegates``); ``to`` becomes its only assignee and is told. The same
    delegation sent again is not counted twice."""
    reason = reason.strip()
    with transaction.atomic():
        request, step = _locked(step)
        assignees = set(step.assignees.values_list("pk", flat=True))
        if assignees == {to.pk} and request.entries.filter(
            kind=Entry.Kind.DELEGATED, step=step, person=person, to=to
        ).exists():
            return step, False
        if person.pk not in assignees:
            raise PermissionDenied("This step is not yours to decide.")
        if step.status != Step.Status.OPEN:
            raise Conflict("This step was already decided.")
        if to.pk not in {p.pk for p in selectors.delegates(step=step)}:
            raise ValidationError({"to": _(
                "%(person)s does not hold the role this step needs, so it cannot be handed "
                "to them.") % {"person": to.name()}})
        watch = stream.Watch(request)
        step.assignees.set([to])
        entry = _entry(request, Entry.Kind.DELEGATED, now(), person=person, step=step,
                       reason=reason, to=to)
        _tell_assignees(request, step, [to], key=f"delegated:{entry.pk}")
        watch.publish()
    return step, True


def pass_on_steps_of_people_who_left() -> int:
    """Open steps whose assignees were deactivated go to whoever else was asked, or else to
    who must act now (the acting holder, or up the tree); the requester is told. Returns
    how many steps changed."""
    changed = 0
    for step in list(selectors.steps_with_inactive_assignees()):
        with transaction.atomic():
            request, step = _locked(step)
            if step.status != Step.Status.OPEN:
                continue
            gone = list(step.assignees.filter(active=False))
            if not gone:
                continue
            staying = list(step.assignees.filter(active=True))
            watch = stream.Watch(request)
            # A step that named its person (routing.py) goes to the head of its unit.
            people = staying or who_must_act(role=step.role or "unit-head", unit=step.unit)
            at = now()
            for person in gone:
                entry = _entry(request, Entry.Kind.REASSIGNED, at, person=person, step=step,
                               to=people[0] if len(people) == 1 else None)
            if not people:
                logger.warning("Nobody can act on workflow step %s any more", step.pk)
                step.assignees.remove(*gone)
                watch.publish()
                _tell_requester(request, entry, _(
                    "Nobody in the directory can act on your %(definition)s any more; "
                    "ask your unit's administrator."))
                changed += 1
                continue
            step.assignees.set(people)
            watch.publish()
            if not staying:
                _tell_assignees(request, step, people, key=f"passed:{entry.pk}")
            _tell_requester(request, entry, _(
                "A step of your %(definition)s moved to someone else: the person who had "
                "it left."))
            changed += 1
    return changed


MENTION = re.compile(r"@([\w.@+-]+)")


def comment(*, person: Person, request: Request, text: str) -> Entry:
    """A comment on the request's timeline. Everyone taking part is told; ``@login``
    mentions must name someone taking part (else nothing is written)."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write something first.")})
    if not selectors.can_view(person=person, request=request):
        raise PermissionDenied("This request is not yours to comment on.")
    people = {p.user.username.lower(): p for p in selectors.participants(request=request)
              if p.user_id}
    unknown = sorted({m for m in MENTION.findall(text) if m.lower() not in people})
    if unknown:
        raise ValidationError({"text": _(
            "%(names)s cannot see this request: only the people taking part in it can be "
            "mentioned.") % {"names": ", ".join(f"@{name}" for name in unknown)}})
    with transaction.atomic():
        request = Request.objects.select_for_update().select_related(
            "version__definition", "unit").get(pk=request.pk)
        entry = _entry(request, Entry.Kind.COMMENTED, now(), person=person, reason=text)
        emit(
            event_type="workflow.comment",
            event_key=f"workflow-entry:{entry.pk}",
            org_unit=request.unit,
            people=[p for p in people.values() if p.pk != person.pk],
            message=Text(_("%(person)s commented on %(definition)s #%(number)s"),
                         person=person.name, definition=request.version.definition.name,
                         number=request.pk),
            url=_url(request),
        )
    return entry


def resubmit(*, person: Person, request: Request, data: Mapping,
             files: Mapping | None = None) -> Request:
    """The requester sends a returned request again, changed: it runs from the start of
    the version it began under."""
    with transaction.atomic():
        request = Request.objects.select_for_update().select_related(
            "version__definition", "unit", "requester"
        ).get(pk=request.pk)
        if request.requester_id != person.pk:
            raise PermissionDenied("Only the requester can send it again.")
        if request.status != Request.Status.RETURNED:
            raise Conflict("This request is not waiting for changes.")
        version = request.version
        request.data, uploads = _clean(version, data, files, initial=request.data)
        watch = stream.Watch(request)
        request.status = Request.Status.RUNNING
        at = now()
        _entry(request, Entry.Kind.RESUBMITTED, at, person=person)
        _attach(request, person, uploads)
        _advance(request, engine.start(bpmn=version.bpmn, process_id=version.process_id,
                                       data=request.data), at)
        request.save(update_fields=["data"])
        watch.publish()
    return request
