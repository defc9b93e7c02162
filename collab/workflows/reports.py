"""Reports on workflow requests (reads): open and overdue steps per unit and step, average
time per step, and the CSV of both. Unit heads see their units and the units below;
people with the ``workflows.view_request`` permission (administrators) see every unit."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from collab.directory.models import OrgUnit, Person

from .models import Definition, Step
from .selectors import headed_units

DECIDED = (Step.Status.APPROVED, Step.Status.REJECTED, Step.Status.RETURNED)


@dataclass(frozen=True)
class Scope:
    """Which units a reader's reports cover: ``units`` and below, or all (None)."""

    units: list[OrgUnit] | None

    def steps(self) -> QuerySet[Step]:
        steps = Step.objects.all()
        if self.units is None:
            return steps
        below = Q()
        for unit in self.units:
            below |= Q(request__unit__path__startswith=unit.path)
        return steps.filter(below)


def scope_of(*, user, person: Person | None) -> Scope | None:
    """None: the reader may see no report."""
    if user.has_perm("workflows.view_request"):
        return Scope(units=None)
    units = headed_units(person=person) if person is not None and person.active else []
    return Scope(units=units) if units else None


def open_steps(*, scope: Scope, at: datetime) -> list[dict]:
    """Per unit (of the request) and step: steps waiting, and how many of them are overdue."""
    rows = list(
        scope.steps().filter(status=Step.Status.OPEN)
        .values("request__unit", "request__version__definition", "task_name", "title_en",
                "title_km")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=at)))
    )
    units = OrgUnit.objects.in_bulk({r["request__unit"] for r in rows})
    definitions = Definition.objects.in_bulk({r["request__version__definition"] for r in rows})
    out = [{
        "unit": units[r["request__unit"]], "definition": definitions[
            r["request__version__definition"]],
        "step": Step(title_en=r["title_en"], title_km=r["title_km"]).title(),
        "task": r["task_name"], "open": r["open"], "overdue": r["overdue"],
    } for r in rows]
    return sorted(out, key=lambda r: (r["unit"].path, r["definition"].key, r["task"]))


def time_per_step(*, scope: Scope) -> list[dict]:
    """Per definition and step: steps decided, and the average time from open to decided."""
    taken = ExpressionWrapper(F("decided_at") - F("opened_at"), output_field=DurationField())
    rows = list(
        scope.steps().filter(status__in=DECIDED, decided_at__isnull=False)
        .values("request__version__definition", "task_name", "title_en", "title_km")
        .annotate(decided=Count("pk"), average=Avg(taken))
    )
    definitions = Definition.objects.in_bulk({r["request__version__definition"] for r in rows})
    out = [{
        "definition": definitions[r["request__version__definition"]],
        "step": Step(title_en=r["title_en"], title_km=r["title_km"]).title(),
        "task": r["task_name"], "decided": r["decided"], "average": _duration(r["average"]),
    } for r in rows]
    return sorted(out, key=lambda r: (r["definition"].key, r["task"]))


def _duration(value) -> timedelta:
    # SQLite answers the average as microseconds, PostgreSQL as an interval.
    return value if isinstance(value, timedelta) else timedelta(microseconds=float(value or 0))


def hours(value: timedelta) -> str:
    return f"{value.total_seconds() / 3600:.1f}"


def as_csv(*, scope: Scope, at: datetime) -> str:
    """Both tables in one CSV, headers in the reader's language (UTF-8 with a byte order
    mark, so spreadsheet programs read Khmer)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([pgettext("org unit", "Unit"), _("Unit code"), _("Request"), _("Step"),
                     _("Waiting"), _("Overdue")])
    for r in open_steps(scope=scope, at=at):
        writer.writerow([r["unit"].name(), r["unit"].code, r["definition"].name(), r["step"],
                         r["open"], r["overdue"]])
    writer.writerow([])
    writer.writerow([_("Request"), _("Step"), _("Decided"), _("Average hours to decide")])
    for r in time_per_step(scope=scope):
        writer.writerow([r["definition"].name(), r["step"], r["decided"], hours(r["average"])])
    return out.getvalue()
