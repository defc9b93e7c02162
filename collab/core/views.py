from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .health import system_health
from .selectors import person_for, positions_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    person = person_for(request.user)
    positions = positions_of(person) if person else []
    return render(request, "core/home.html", {"person": person, "positions": positions})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = system_health()
    failing = [name for name, check in checks.items() if not check["ok"]]
    return JsonResponse(
        {"status": "degraded" if failing else "ok", "failing": failing, "checks": checks},
        status=503 if failing else 200,
    )
