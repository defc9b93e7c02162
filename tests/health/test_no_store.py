"""Every route of health and consultations (pages, FHIR exports, API) answers with
Cache-Control: no-store, whatever it answers: a new route without an entry here fails."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import get_resolver

from collab.accounts.services import create_token
from collab.consultations import services as consultations
from collab.consultations.api import router as consultations_api
from collab.consultations.models import Recording
from collab.core.clock import now
from collab.health import services as health
from collab.health.api import router as health_api
from collab.health.models import Patient
from tests.notifications.factories import build_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path, django_user_model):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    org = build_org()
    nurse, paed = org.people["nurse"], org.people["paed"]
    admin = django_user_model.objects.create_superuser("root", password="x")
    admin.user_permissions.add(Permission.objects.get(codename="add_labresult"))
    Patient.objects.create(health_id="KH-42", family_name_latin="Chan",
                           given_name_latin="Sophea", sex="female")
    referral = health.create_referral(
        user=nurse.user, health_id="KH-42", from_unit=org.centre, to_unit=org.hospital,
        specialty="paediatrics", reason="Fever", urgency="routine",
    )
    result, _created = health.record_lab_result(
        submitted_by=admin, health_id="KH-42", ordering_doctor=paed.employee_id,
        test_code="HB", test_name="Haemoglobin", value="7.1",
    )
    appointment = consultations.book_appointment(
        booked_by=paed.user, health_id="KH-42", doctor=paed,
        scheduled_for=now() + timedelta(hours=1), reason="Fever",
    )
    link, token = consultations.issue_link(appointment=appointment, by=paed.user)
    recording = Recording.objects.create(appointment=appointment, started_by=paed.user,
                                         started_at=now(), size=3)
    recording.file.save(f"recordings/{recording.key}.mp4", ContentFile(b"abc"))
    return {
        "admin": admin, "referral": referral.pk, "result": result.pk,
        "appointment": appointment.pk, "link": link.pk, "token": token,
        "recording": recording.key, "lab": create_token(user=admin, name="LIS"),
    }


def _page_routes(w: dict) -> dict[str, dict]:
    """Route name -> its URL arguments."""
    a = w["appointment"]
    return {
        # The patient's side first (a later POST to issue_link revokes this unopened link),
        # in its own browser: the link logs it in, then its visit page.
        "consultations:open_link": {"token": w["token"]}, "consultations:visit": {},
        "health:referrals": {}, "health:referral_new": {},
        "health:referral": {"pk": w["referral"]}, "health:referral_fhir": {"pk": w["referral"]},
        "health:patient": {"health_id": "KH-42"}, "health:lab_result_new": {},
        "health:patient_find": {},
        "health:lab_result": {"pk": w["result"]},
        "consultations:list": {}, "consultations:detail": {"pk": a},
        "consultations:call": {"pk": a}, "consultations:sign_note": {"pk": a},
        "consultations:issue_link": {"pk": a}, "consultations:admit": {"pk": a},
        "consultations:revoke_link": {"pk": a, "link_pk": w["link"]},
        "consultations:status": {"pk": a}, "consultations:consent": {"pk": a},
        "consultations:fhir": {"pk": a}, "consultations:recording": {"key": w["recording"]},
    }


def _route_names() -> set[str]:
    resolver = get_resolver()
    names = set()
    for namespace in ("health", "consultations"):
        _prefix, sub = resolver.namespace_dict[namespace]
        names |= {f"{namespace}:{p.name}" for p in sub.url_patterns}
    return names


def _no_store(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def test_every_page_of_health_and_consultations_is_no_store(world):
    from django.urls import reverse

    routes = _page_routes(world)
    assert set(routes) == _route_names()
    staff, patient = Client(), Client()
    staff.force_login(world["admin"])
    for name, kwargs in routes.items():
        url = reverse(name, kwargs=kwargs)
        browser = patient if name.startswith("consultations:") and name.split(":")[1] in (
            "open_link", "visit") else staff
        response = browser.get(url)
        assert response.status_code < 400 or response.status_code == 405, (name, response)
        assert _no_store(response), (name, response.status_code, response.headers)
        if response.status_code == 405:  # a form target: its POST answer too
            response = browser.post(url, {})
            assert response.status_code < 500, name
            # A refusal (403/404 page) carries no record; every other answer is no-store.
            if response.status_code not in (403, 404):
                assert _no_store(response), (name, response.status_code)


def test_every_api_route_of_health_and_consultations_is_no_store(world, client):
    ids = {"referral_id": world["referral"], "appointment_id": world["appointment"]}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['lab']}"}
    seen = 0
    for prefix, router in (("health", health_api), ("consultations", consultations_api)):
        for path, view in router.path_operations.items():
            url = f"/api/v1/{prefix}{path.format(**ids)}"
            for operation in view.operations:
                for method in operation.methods:
                    response = getattr(client, method.lower())(
                        url, content_type="application/json", **headers
                    )
                    assert response.status_code < 500, (url, method)
                    assert _no_store(response), (url, method, response.status_code)
                    seen += 1
    assert seen == 4
    # An error answer about a record is no-store too.
    missing = client.get("/api/v1/consultations/appointments/999999/fhir", **headers)
    assert missing.status_code == 404 and _no_store(missing)
