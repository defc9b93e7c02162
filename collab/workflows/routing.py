"""Steps whose assignee is a person of the request rather than a directory role, and the
extra checks of a step's approval: the incoming letter's minute and forwarding.

User task properties (docs/workflows.md, "Incoming official letter"):

- ``assignee="requester"``: the requester acts (the registrar sends the reply and files it);
- ``assignee="forwarded"``: the person the last forwarding approval named acts;
- ``minute="required"``: approving needs a written minute (the step's reason);
- ``forward="required"``: approving needs someone of the step's unit (or below) to forward
  the request to."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from collab.directory.models import Person
from collab.directory.selectors import units_of_person

from .models import Entry, Request, Step


def chosen_people(*, request: Request, props: dict) -> list[Person] | None:
    """The assignees a step names itself (None: ask the directory for its role)."""
    who = props.get("assignee")
    if who == "requester":
        return [request.requester] if request.requester.active else []
    if who == "forwarded":
        entry = (request.entries.filter(kind=Entry.Kind.APPROVED, to__isnull=False)
                 .select_related("to").order_by("-at", "-pk").first())
        return [entry.to] if entry and entry.to.active else []
    return None


def check_approval(*, step: Step, props: dict, reason: str, forward_to: Person | None) -> None:
    errors = {}
    if props.get("minute") == "required" and not reason:
        errors["reason"] = _("Write the minute: what should be done with it.")
    if props.get("forward") == "required":
        if forward_to is None:
            errors["forward_to"] = _("Choose who should act on it.")
        elif not forward_to.active or not units_of_person(person=forward_to).filter(
                path__startswith=step.unit.path).exists():
            errors["forward_to"] = _(
                "%(person)s does not work in %(unit)s or a unit below it.") % {
                "person": forward_to.name(), "unit": step.unit.name()}
    elif forward_to is not None:
        errors["forward_to"] = _("This step is not forwarded to anyone.")
    if errors:
        raise ValidationError(errors)
