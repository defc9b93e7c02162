"""For managers and HR: assign courses, see a unit's report, export it as CSV."""

import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from collab.core.errors import ServiceError
from collab.directory.models import OrgUnit

from .. import selectors
from ..forms import AssignmentForm, ReportFilterForm
from ..services.assignments import create_assignment
from .common import person_required, refused


def _no_units(request):
    return refused(
        request,
        ServiceError("forbidden", _("You do not manage any unit."), status=403),
    )


@person_required
def assign(request):
    units = selectors.managed_units(request.user)
    if units == []:
        return _no_units(request)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["unit"] and not selectors.can_manage_unit(request.user, data["unit"]):
            form.add_error("unit", _("You do not manage this unit."))
        elif data["person"] and not selectors.can_manage_person(request.user, data["person"]):
            form.add_error("person", _("This person is not in a unit you manage."))
        elif data["role_tag"] and not data["unit"] and units is not None:
            form.add_error("unit", _("Choose the unit in which to look for this role."))
        else:
            try:
                assignment = create_assignment(assigned_by=request.user, **data)
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Assigned to %(n)d people.") % {"n": assignment.enrolments.count()},
                )
                return redirect("training:assign")
    return render(request, "training/assign.html", {"form": form, "units": units})


@person_required
def reports(request):
    units = selectors.managed_units(request.user)
    if units == []:
        return _no_units(request)
    if units is None:
        units = list(OrgUnit.objects.filter(parent__isnull=True))
    return render(request, "training/reports.html", {"units": units})


CSV_HEADER = [
    "employee_id",
    "name_en",
    "name_km",
    "course",
    "source",
    "mandatory",
    "due_date",
    "status",
    "progress_percent",
    "score",
    "completed_at",
    "certificate",
]


@person_required
def unit_report(request, unit_id: int):
    unit = get_object_or_404(OrgUnit, pk=unit_id)
    if not selectors.can_manage_unit(request.user, unit):
        return refused(
            request, ServiceError("forbidden", _("You do not manage this unit."), status=403)
        )
    form = ReportFilterForm(request.GET or None)
    course = form.cleaned_data.get("course") if form.is_valid() else None
    rows, summaries = selectors.unit_report(unit=unit, course=course)
    if request.GET.get("format") == "csv":
        return _csv(unit, rows)
    return render(
        request,
        "training/report.html",
        {
            "unit": unit,
            "form": form,
            "rows": rows,
            "summaries": summaries,
            "overdue": [r for r in rows if r.status == selectors.Status.OVERDUE],
            "children": unit.children.all(),
        },
    )


def _csv(unit: OrgUnit, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="training-{unit.code}.csv"'
    response.write("\ufeff")  # spreadsheet programs then read the Khmer as UTF-8
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in rows:
        e = row.enrolment
        writer.writerow(
            [
                e.person.employee_id,
                e.person.name_en,
                e.person.name_km,
                e.course.title,
                e.source,
                "yes" if e.mandatory else "no",
                e.due_date.isoformat() if e.due_date else "",
                row.status,
                row.progress.percent,
                row.progress.score if row.progress.score is not None else "",
                e.completed_at.isoformat() if e.completed_at else "",
                row.certificate.code if row.certificate else "",
            ]
        )
    return response
