"""One-time patient links: one device, expiry, revocation, clear refusal pages, the lobby."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from collab.consultations import services
from collab.consultations.models import Appointment
from collab.core.clock import now, set_offset
from collab.core.errors import ServiceError
from realtime.calls import selectors as call_selectors
from realtime.calls import services as calls
from realtime.models import Event

pytestmark = pytest.mark.django_db


def _issue_through_page(client: Client, appointment) -> str:
    client.force_login(appointment.doctor.user)
    response = client.post(f"/consultations/{appointment.pk}/link/")
    assert response.status_code == 200
    return re.search(r"/consultations/join/([\w-]+)/", response.content.decode()).group(1)


def test_link_binds_to_the_first_device_and_refuses_a_second(appointment):
    token = _issue_through_page(Client(), appointment)

    phone = Client()
    opened = phone.get(f"/consultations/join/{token}/")
    assert opened.status_code == 302 and opened.url == "/consultations/visit/"
    visit = phone.get("/consultations/visit/")
    assert visit.status_code == 200 and b"Please wait" in visit.content
    # The same phone may come back (reload, lost connection).
    assert phone.get(f"/consultations/join/{token}/").status_code == 302

    laptop = Client()
    refused = laptop.get(f"/consultations/join/{token}/")
    assert refused.status_code == 403
    assert b'data-reason="other_device"' in refused.content
    assert b"already opened on another" in refused.content
    assert laptop.get("/consultations/visit/").status_code == 403


def test_expired_revoked_and_unknown_links_get_a_clear_page(appointment, doctor):
    _link, token = services.issue_link(appointment=appointment, by=doctor.user)
    set_offset(timedelta(hours=26).total_seconds())  # 25 h after the appointment
    try:
        expired = Client().get(f"/consultations/join/{token}/")
    finally:
        set_offset(None)
    assert expired.status_code == 410 and b'data-reason="expired"' in expired.content

    link, token = services.issue_link(appointment=appointment, by=doctor.user)
    Client().force_login(doctor.user)
    services.revoke_link(link=link, by=doctor.user)
    revoked = Client().get(f"/consultations/join/{token}/")
    assert revoked.status_code == 410 and b'data-reason="revoked"' in revoked.content

    unknown = Client().get("/consultations/join/not-a-real-token/")
    assert unknown.status_code == 404 and b'data-reason="unknown"' in unknown.content


def test_a_new_link_revokes_the_unopened_one(appointment, doctor):
    _first, first_token = services.issue_link(appointment=appointment, by=doctor.user)
    services.issue_link(appointment=appointment, by=doctor.user)
    with pytest.raises(ServiceError) as refused:
        services.open_link(token=first_token, device_secret=None)
    assert (refused.value.code, refused.value.extra["reason"]) == ("link_refused", "revoked")


def test_only_the_treating_doctor_issues_and_revokes(appointment, other_doctor):
    with pytest.raises(ServiceError) as refused:
        services.issue_link(appointment=appointment, by=other_doctor.user)
    assert (refused.value.code, refused.value.status) == ("forbidden", 403)
    client = Client()
    client.force_login(other_doctor.user)
    assert client.post(f"/consultations/{appointment.pk}/link/").status_code == 404


def test_patient_waits_in_the_lobby_until_the_doctor_admits(appointment, doctor):
    _link, token = services.issue_link(appointment=appointment, by=doctor.user)
    visit = services.open_link(token=token, device_secret=None)
    guest = visit.guest

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.WAITING
    waiting = Event.objects.get(type="consultation.waiting", user_id=doctor.user_id)
    assert waiting.payload["appointment"] == appointment.pk

    # Not invited: the guest joins the lobby, receives no signalling, cannot signal.
    assert calls.join(meeting_id=appointment.meeting_id, user=guest)["state"] == "waiting"
    assert call_selectors.meeting_streams([guest.pk]) == {}
    with pytest.raises(ServiceError) as forbidden:
        calls.relay_signal(
            meeting_id=appointment.meeting_id, sender=guest,
            frame={"type": "call.offer", "to": doctor.user_id, "sdp": "v=0"},
        )
    assert forbidden.value.code == "forbidden"

    services.admit_patient(appointment=appointment, by=doctor.user)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.IN_PROGRESS
    assert call_selectors.meeting_streams([guest.pk]) == {
        guest.pk: [f"calls.meeting.{appointment.meeting_id}"]
    }
    assert Event.objects.filter(type="call.admitted", user_id=guest.pk).exists()


def test_admit_before_the_patient_arrives_is_a_clear_error(appointment, doctor):
    client = Client()
    client.force_login(doctor.user)
    response = client.post(f"/consultations/{appointment.pk}/admit/", follow=True)
    assert b"has not opened their link yet" in response.content
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_a_finished_consultation_closes_the_link_and_the_call(appointment, doctor):
    _link, token = services.issue_link(appointment=appointment, by=doctor.user)
    services.set_status(appointment=appointment, by=doctor.user, status="finished")
    with pytest.raises(ServiceError) as refused:
        services.open_link(token=token, device_secret=None)
    assert refused.value.extra["reason"] == "closed"
    appointment.meeting.refresh_from_db()
    assert appointment.meeting.ended is not None


def test_guest_login_cannot_read_the_doctors_pages(appointment, doctor):
    _link, token = services.issue_link(appointment=appointment, by=doctor.user)
    phone = Client()
    phone.get(f"/consultations/join/{token}/")
    for path in (f"/consultations/{appointment.pk}/", f"/consultations/{appointment.pk}/fhir/"):
        assert phone.get(path).url == "/consultations/visit/"
    # Even without the session guard the views themselves refuse a guest.
    bare = Client()
    bare.force_login(appointment.links.get().guest)
    assert bare.get(f"/consultations/{appointment.pk}/").status_code == 404
    assert bare.get(f"/consultations/{appointment.pk}/fhir/").status_code == 404


def test_links_expire_24_hours_after_the_appointment(appointment, doctor):
    link, _token = services.issue_link(appointment=appointment, by=doctor.user)
    assert link.expires_at == appointment.scheduled_for + timedelta(hours=24)
    assert link.expires_at > now()


def test_a_patient_guest_session_reaches_nothing_of_the_staff_side(appointment, doctor):
    _link, token = services.issue_link(appointment=appointment, by=doctor.user)
    phone = Client()
    phone.get(f"/consultations/join/{token}/")
    for path in ("/directory/", "/chat/", "/api/v1/directory/people", "/consultations/",
                 f"/meetings/{appointment.meeting_id}/"):
        response = phone.get(path)
        assert (response.status_code, response.url) == (302, "/consultations/visit/"), path
    assert phone.get("/consultations/visit/").status_code == 200
    consent = phone.post(f"/consultations/{appointment.pk}/consent/")
    assert consent.url == "/consultations/visit/"
    assert appointment.consents.get().role == "patient"
