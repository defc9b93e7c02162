"""Assignments by managers/HR, and keeping them in step with the directory.

Newcomers are picked up twice over: a signal on Position saves (immediate, see apps.py)
and a periodic sync (catches bulk imports and acting holders whose term starts later)."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collab.core import clock
from collab.core.errors import ServiceError
from collab.core.formatting import when
from collab.core.scheduling import periodic
from collab.directory.models import OrgUnit, Person, Position
from collab.notifications.services import Text

from .. import selectors
from ..models import Assignment, CoursePage, Enrolment
from .notify import notify


def create_assignment(
    *,
    course: CoursePage,
    due_date: date,
    unit: OrgUnit | None = None,
    include_descendants: bool = True,
    role_tag: str = "",
    person: Person | None = None,
    mandatory: bool = True,
    newcomer_days: int = 30,
    assigned_by=None,
) -> Assignment:
    role_tag = role_tag.strip()
    if person is not None and (unit is not None or role_tag):
        raise ServiceError(
            "target", _("Assign to a person, or to a unit and/or role tag, not both."), status=422
        )
    if person is None and unit is None and not role_tag:
        raise ServiceError("target", _("Choose a unit, a role tag or a person."), status=422)
    if " " in role_tag:
        raise ServiceError("role_tag", _("A role tag is one word, without spaces."), status=422)
    with transaction.atomic():
        assignment = Assignment.objects.create(
            course=course,
            unit=unit,
            include_descendants=include_descendants,
            role_tag=role_tag,
            person=person,
            due_date=due_date,
            mandatory=mandatory,
            newcomer_days=newcomer_days,
            assigned_by=assigned_by,
        )
        sync_assignment(assignment=assignment, initial=True)
    return assignment


def assignment_targets(assignment: Assignment):
    if assignment.person_id:
        return Person.objects.filter(pk=assignment.person_id, active=True)
    if assignment.role_tag:
        return selectors.people_with_role(tag=assignment.role_tag, unit=assignment.unit)
    return selectors.people_in_unit(
        unit=assignment.unit, include_descendants=assignment.include_descendants
    )


def sync_assignment(*, assignment: Assignment, initial: bool = False) -> list[Enrolment]:
    """Enrol every target not yet enrolled; returns the enrolments it created or took over."""
    now = clock.now()
    due_for_newcomer = max(
        assignment.due_date, selectors.today() + timedelta(days=assignment.newcomer_days)
    )
    due = assignment.due_date if initial else due_for_newcomer
    targets = list(assignment_targets(assignment))
    existing = {
        e.person_id: e
        for e in Enrolment.objects.filter(course=assignment.course, person__in=targets)
    }
    changed = []
    with transaction.atomic():
        for person in targets:
            enrolment = existing.get(person.pk)
            if enrolment is None:
                enrolment = Enrolment.objects.create(
                    person=person,
                    course=assignment.course,
                    source=Enrolment.Source.ASSIGNED,
                    assignment=assignment,
                    due_date=due,
                    mandatory=assignment.mandatory,
                    enrolled_at=now,
                    cycle_started_at=now,
                )
            elif enrolment.assignment_id is None and not enrolment.completed_at:
                # A self-enrolment becomes an assignment (keeps its progress).
                enrolment.assignment = assignment
                enrolment.due_date = due
                enrolment.mandatory = assignment.mandatory
                enrolment.save(update_fields=["assignment", "due_date", "mandatory"])
            else:
                continue
            changed.append(enrolment)
            _announce(enrolment=enrolment, assignment=assignment)
    return changed


def _announce(*, enrolment: Enrolment, assignment: Assignment) -> None:
    notify(
        enrolment=enrolment,
        event_type="training.assigned",
        key=f"training.assigned:{enrolment.pk}:{assignment.pk}",
        message=Text(
            gettext_lazy("Training assigned: %(course)s, due %(date)s."),
            course=assignment.course.title,
            date=lambda: when(enrolment.due_date, "date"),
        ),
    )


def deactivate_assignment(*, assignment: Assignment) -> None:
    """Stop adding newcomers; enrolments already made stay."""
    assignment.active = False
    assignment.save(update_fields=["active"])


def assignments_touching(unit: OrgUnit):
    ancestors = [u.pk for u in unit.ancestors()]
    return Assignment.objects.filter(active=True).filter(
        Q(unit=unit)
        | Q(unit__in=ancestors, include_descendants=True)
        | Q(unit__isnull=True, person__isnull=True)
        | Q(role_tag__gt="", unit__in=ancestors)
    )


def sync_for_position(*, position: Position) -> None:
    for assignment in assignments_touching(position.unit).select_related("course", "unit"):
        sync_assignment(assignment=assignment)


@periodic(every=300)
def sync_all_assignments() -> int:
    created = 0
    for assignment in Assignment.objects.filter(active=True).select_related("course", "unit"):
        created += len(sync_assignment(assignment=assignment))
    return created
