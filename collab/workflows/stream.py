"""Live inboxes: workflow events in the durable stream (docs/protocol.md, "Workflows").

Every write of ``services`` takes a ``Watch`` of the request before it changes it: it notes
which open steps wait for whom, compares after, and publishes in the same transaction
(pushed on commit, with stream positions, resumable) to each user concerned:

- ``workflow.step_opened``: a step now waits for them ("Waiting for me" gains a line);
- ``workflow.step_closed``: it no longer does (decided, cancelled, handed on);
- ``workflow.request_changed``: a request of theirs, or of a unit they head, started or
  changed status ("My requests", "My unit's requests").

Events go to users (their own group), so no stream provider is needed."""

from django.urls import reverse
from django.utils.translation import override

from realtime.services import publish

from .models import Request, Step
from .selectors import heads_above


def _waiting(request: Request) -> set[tuple[int, int]]:
    """(step, user) pairs of the request's open steps."""
    return set(
        Step.objects.filter(request=request, status=Step.Status.OPEN,
                            assignees__user__isnull=False)
        .values_list("pk", "assignees__user_id")
    )


def _both(fn) -> dict[str, str]:
    out = {}
    for language in ("en", "km"):
        with override(language):
            out[language] = str(fn())
    return out


def step_frame(step: Step) -> dict:
    request = step.request
    return {
        "step": step.pk, "request": request.pk, "url": reverse("workflows:request",
                                                                 args=[request.pk]),
        "definition": _both(request.version.definition.name),
        "title": _both(step.title), "requester": _both(request.requester.name),
        "unit": _both(request.unit.name), "opened_at": step.opened_at.isoformat(),
        "due_at": step.due_at.isoformat() if step.due_at else None,
    }


def request_frame(request: Request) -> dict:
    return {
        "request": request.pk, "status": request.status,
        "status_label": _both(request.get_status_display),
        "definition": _both(request.version.definition.name),
        "requester": _both(request.requester.name),
        "requester_user": request.requester.user_id, "unit": _both(request.unit.name),
        "url": reverse("workflows:request", args=[request.pk]),
        "created_at": request.created_at.isoformat(),
    }


class Watch:
    """Notes who the request's open steps wait for; ``publish`` (later in the same
    transaction) tells each user what changed for them."""

    def __init__(self, request: Request, *, new: bool = False) -> None:
        self.request = request
        self.before = set() if new else _waiting(request)
        self.status = None if new else request.status

    def publish(self) -> None:
        request = self.request
        after = _waiting(request)
        opened = after - self.before
        if opened:
            steps = {s.pk: s for s in Step.objects.filter(pk__in={pk for pk, _ in opened})
                     .select_related("request__version__definition", "request__requester",
                                     "request__unit")}
            for step_id, user_id in sorted(opened):
                publish(type="workflow.step_opened", payload=step_frame(steps[step_id]),
                        user_id=user_id)
        for step_id, user_id in sorted(self.before - after):
            publish(type="workflow.step_closed",
                    payload={"step": step_id, "request": request.pk}, user_id=user_id)
        if request.status != self.status:
            frame = request_frame(request)
            audience = {request.requester.user_id} | {
                p.user_id for p in heads_above(unit=request.unit)}
            for user_id in sorted(u for u in audience if u):
                publish(type="workflow.request_changed", payload=frame, user_id=user_id)
