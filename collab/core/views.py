from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from collab.directory.selectors import person_for_user, positions_of_person

from .health import system_health


@login_required
def home(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)  # cached on the user for the rest of the request
    positions = list(positions_of_person(person=person)) if person else []
    return render(request, "core/home.html", {"person": person, "positions": positions})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = system_health()
    failing = [name for name, check in checks.items() if not check["ok"]]
    return JsonResponse(
        {"status": "degraded" if failing else "ok", "failing": failing, "checks": checks},
        status=503 if failing else 200,
    )
