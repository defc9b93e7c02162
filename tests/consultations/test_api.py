"""/api/v1/consultations and /api/v1/calls: lists, FHIR export (audited), permissions,
query counts of the lists."""

from datetime import timedelta

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle

from collab.consultations.services import book_appointment
from collab.core.clock import now
from collab.health.models import AuditEntry

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_appointment_list_and_status_filter(appointment, doctor, other_doctor,
                                            django_assert_max_num_queries):
    for hours in (2, 3, 4):
        book_appointment(booked_by=doctor.user, health_id="KH-0001", doctor=doctor,
                         scheduled_for=now() + timedelta(hours=hours), reason="Follow-up")
    client = _client(doctor.user)
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/consultations/appointments").json()
    assert body["count"] == 4 and body["items"][-1]["id"] == appointment.pk
    assert body["items"][0]["health_id"] == "KH-0001"
    assert client.get("/api/v1/consultations/appointments?status=finished").json()["count"] == 0
    bad = client.get("/api/v1/consultations/appointments?status=nope")
    assert bad.status_code == 422 and "status" in bad.json()["message"]
    assert _client(other_doctor.user).get(
        "/api/v1/consultations/appointments"
    ).json()["count"] == 0


def test_fhir_bundle_over_the_api_is_audited_and_private(appointment, doctor, other_doctor):
    response = _client(doctor.user).get(
        f"/api/v1/consultations/appointments/{appointment.pk}/fhir"
    )
    assert response.status_code == 200
    assert Bundle.model_validate(response.json()).type == "collection"
    assert AuditEntry.objects.filter(user=doctor.user, action="export").count() == 1
    refused = _client(other_doctor.user).get(
        f"/api/v1/consultations/appointments/{appointment.pk}/fhir"
    )
    assert refused.status_code == 404 and refused.json() == {"message": "No such appointment."}
    assert AuditEntry.objects.count() == 1


def test_meeting_list_over_the_api(appointment, doctor, other_doctor,
                                   django_assert_max_num_queries):
    client = _client(doctor.user)
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/calls/meetings").json()
    assert body["count"] == 1
    assert body["items"][0]["stream"] == f"calls.meeting.{appointment.meeting_id}"
    assert body["items"][0]["kind"] == "consultation" and body["items"][0]["lobby"] is True
    assert _client(other_doctor.user).get("/api/v1/calls/meetings").json()["count"] == 0


def test_appointment_page_query_count(appointment, doctor, django_assert_max_num_queries):
    client = _client(doctor.user)
    client.get(f"/consultations/{appointment.pk}/")  # warm the session/user caches
    with django_assert_max_num_queries(10):
        assert client.get(f"/consultations/{appointment.pk}/").status_code == 200
