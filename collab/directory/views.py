from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from collab.directory import selectors
from collab.directory.models import OrgUnit, Person

PAGE_SIZE = 25


@login_required
def index(request: HttpRequest) -> HttpResponse:
    roots = selectors.root_units()
    return render(request, "directory/index.html", {"roots": roots})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(OrgUnit.objects.select_related("parent"), code=code)
    return render(
        request,
        "directory/unit.html",
        {
            "unit": unit,
            "ancestors": list(reversed(unit.ancestors())),
            "positions": selectors.positions_in_unit(unit=unit),
            "children": selectors.child_units(unit=unit),
            "on_call": selectors.on_call_now(unit=unit),
        },
    )


@login_required
def person_detail(request: HttpRequest, employee_id: str) -> HttpResponse:
    person = get_object_or_404(Person.objects.select_related("user"), employee_id=employee_id)
    if not person.active and not request.user.is_staff:
        raise Http404
    return render(
        request,
        "directory/person.html",
        {
            "person": person,
            "positions": selectors.positions_of_person(person=person),
            "shifts": selectors.upcoming_shifts(person=person),
        },
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    people = Paginator(selectors.search_people_with_positions(q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    units = selectors.search_units(q)[:PAGE_SIZE] if q else []
    return render(request, "directory/search.html", {"q": q, "people": people, "units": units})
