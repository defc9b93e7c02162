"""Service levels of workflow steps: a reminder before a step is due, then an escalation
ladder once it is overdue, both through the notification system (docs/workflows.md, "SLAs").

A user task's ``sla_hours`` property (default ``DEFAULT_SLA_HOURS``) sets when its step is
due; ``remind_hours`` how long before that its assignees are reminded (default a quarter of
the SLA). The worker's ``send_due`` (every minute, on the suite's clock) sends what fell
due: the reminder (``workflow.step_due_soon``), then the overdue notice
(``workflow.step_overdue``) whose ladder reaches the head of the unit above the assignees,
then the next unit's head. A decided or cancelled step stops both (``settle``)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from collab.core.clock import now
from collab.notifications.services import Text, emit, stop_escalation

from .models import Request, Step

DEFAULT_SLA_HOURS = 72
UNIT_HEAD_ROLE = "unit-head"


class SlaError(ValueError):
    pass


def _hours(props: dict, name: str) -> float | None:
    raw = props.get(name)
    if raw in (None, ""):
        return None
    try:
        hours = float(raw)
    except ValueError:
        raise SlaError(f"'{name}' must be a number of hours, not {raw!r}") from None
    if hours <= 0:
        raise SlaError(f"'{name}' must be more than 0 hours")
    return hours


def check(props: dict) -> list[str]:
    """What is wrong with a user task's SLA properties (for publishing a diagram)."""
    try:
        sla = _hours(props, "sla_hours") or DEFAULT_SLA_HOURS
        remind = _hours(props, "remind_hours")
    except SlaError as exc:
        return [str(exc)]
    if remind is not None and remind >= sla:
        return ["'remind_hours' must be less than 'sla_hours'"]
    return []


def schedule(props: dict, opened_at: datetime) -> tuple[datetime, datetime]:
    """(due at, reminder at) of a step opening at ``opened_at``."""
    sla = timedelta(hours=_hours(props, "sla_hours") or DEFAULT_SLA_HOURS)
    remind = timedelta(hours=_hours(props, "remind_hours") or sla.total_seconds() / 3600 / 4)
    return opened_at + sla, opened_at + sla - remind


def escalation_unit(step: Step):
    """Where the overdue ladder starts: the step's unit, or the unit above it when the
    step already belongs to its unit's head (their own head would be themselves)."""
    if step.role == UNIT_HEAD_ROLE and step.unit.parent_id:
        return step.unit.parent
    return step.unit


def ladder(step: Step) -> list[dict]:
    """At once the head of the escalation unit, one SLA later the head of the unit above."""
    sla_minutes = max(int((step.due_at - step.opened_at).total_seconds() // 60), 1)
    return [{"after_minutes": 0, "target": "unit_head"},
            {"after_minutes": sla_minutes, "target": "parent_unit_head"}]


def overdue_key(step_id: int) -> str:
    return f"workflow-step:{step_id}:overdue"


def _message(step: Step, text) -> Text:
    request = step.request
    return Text(text, definition=request.version.definition.name,
                requester=request.requester.name, step=step.title, number=request.pk)


def _send(step: Step, at: datetime) -> None:
    url = reverse("workflows:request", args=[step.request_id])
    people = list(step.assignees.filter(active=True))
    if at < step.due_at:
        emit(event_type="workflow.step_due_soon", event_key=f"workflow-step:{step.pk}:due-soon",
             org_unit=step.unit, people=people, url=url,
             message=_message(step, _("%(definition)s #%(number)s from %(requester)s is "
                                      "due soon: %(step)s")))
        step.next_sla_at = step.due_at
        return
    emit(event_type="workflow.step_overdue", event_key=overdue_key(step.pk),
         org_unit=escalation_unit(step), people=people, url=url, ladder=ladder(step),
         message=_message(step, _("%(definition)s #%(number)s from %(requester)s is overdue: "
                                  "%(step)s")))
    step.next_sla_at = None


def send_due(*, limit: int = 200) -> int:
    """Send the reminders and overdue notices that fell due; returns how many."""
    at = now()
    due = list(Step.objects.filter(next_sla_at__lte=at, status=Step.Status.OPEN)
               .order_by("next_sla_at")
               .values_list("pk", flat=True)[:limit])
    sent = 0
    for pk in due:
        with transaction.atomic():
            step = (Step.objects.select_for_update(of=("self",))
                    .select_related("unit__parent", "request__version__definition",
                                    "request__requester")
                    .filter(pk=pk, next_sla_at__lte=at, status=Step.Status.OPEN).first())
            if step is None:
                continue
            _send(step, at)
            step.save(update_fields=["next_sla_at"])
            sent += 1
    return sent


def settle(*, request: Request) -> None:
    """The request's steps that are no longer open send nothing more, and their overdue
    ladders stop. Called in the transaction that decided them."""
    closed = list(request.steps.exclude(status=Step.Status.OPEN).values_list("pk", flat=True))
    request.steps.filter(pk__in=closed, next_sla_at__isnull=False).update(next_sla_at=None)
    stop_escalation(event_keys=[overdue_key(pk) for pk in closed])
