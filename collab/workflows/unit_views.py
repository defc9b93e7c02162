"""Pages for unit heads and administrators: "My unit's requests" and the reports."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from collab.core.clock import now
from collab.directory.selectors import person_for_user

from . import reports, selectors
from .models import Request

PAGE_SIZE = 200


@login_required
def unit_requests(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    units = selectors.headed_units(person=person) if person and person.active else []
    if not units:
        raise PermissionDenied("Only unit heads see their unit's requests.")
    requests = selectors.unit_requests(units=units)
    status = request.GET.get("status", "")
    if status in Request.Status.values:
        requests = requests.filter(status=status)
    return render(request, "workflows/unit.html", {
        "units": units, "requests": requests[:PAGE_SIZE], "status": status,
        "statuses": Request.Status.choices,
    })


def _scope(request: HttpRequest) -> reports.Scope:
    scope = reports.scope_of(user=request.user, person=person_for_user(request.user))
    if scope is None:
        raise PermissionDenied("Only unit heads and administrators see workflow reports.")
    return scope


@login_required
def report(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    at = now()
    return render(request, "workflows/reports.html", {
        "scope": scope, "open_steps": reports.open_steps(scope=scope, at=at),
        "time_per_step": [{**r, "hours": r["average"].total_seconds() / 3600}
                          for r in reports.time_per_step(scope=scope)],
    })


@login_required
def report_csv(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    response = HttpResponse(reports.as_csv(scope=scope, at=now()),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="workflow-report.csv"'
    return response
