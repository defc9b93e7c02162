"""The record button of the consultation call page: shown to the treating doctor only, with
both parties' consent state; in Chromium it records the call through the server's recorder."""

from datetime import timedelta

import av
import pytest
from django.conf import settings

from collab.consultations import services
from collab.consultations.models import PatientLink, Recording
from collab.core.clock import now
from collab.health.models import AuditEntry
from tests.support.browser import login_with_session, outside_browser_loop
from tests.support.live import login_cookie


def _patient_consents(appointment, doctor):
    _link, token = services.issue_link(appointment=appointment, by=doctor.user)
    guest = services.open_link(token=token, device_secret=None).guest
    services.give_consent(appointment=appointment, user=guest)


@pytest.mark.django_db
def test_the_doctor_sees_consent_state_and_a_button_that_needs_both(client, appointment, doctor):
    client.force_login(doctor.user)
    url = f"/consultations/{appointment.pk}/call/"
    page = client.get(url).content.decode()
    assert 'id="record"' in page and 'data-state="no_consent"' in page
    assert page.count('data-given="0"') == 2
    assert 'data-action="record-start" disabled' in page
    assert 'id="call"' in page  # the call itself
    assert AuditEntry.objects.filter(action="view").count() == 1

    _patient_consents(appointment, doctor)
    page = client.get(url).content.decode()
    assert page.count('data-given="1"') == 1 and page.count('data-given="0"') == 1
    assert 'data-action="record-start" disabled' in page

    services.give_consent(appointment=appointment, user=doctor.user)
    page = client.get(url).content.decode()
    assert page.count('data-given="1"') == 2
    assert 'data-state="idle"' in page and 'data-action="record-start">' in page


@pytest.mark.django_db
def test_consent_given_and_withdrawn_reaches_the_doctor_as_a_stored_event(appointment, doctor):
    from realtime.models import Event

    services.give_consent(appointment=appointment, user=doctor.user)
    _patient_consents(appointment, doctor)
    services.withdraw_consent(appointment=appointment, user=doctor.user)
    events = Event.objects.filter(type="consultation.consent").order_by("seq")
    assert {e.user_id for e in events} == {doctor.user_id}
    assert [(e.payload["consents"], e.payload["recording_allowed"]) for e in events] == [
        ({"patient": False, "doctor": True}, False),
        ({"patient": True, "doctor": True}, True),
        ({"patient": True, "doctor": False}, False),
    ]
    assert {e.payload["appointment"] for e in events} == {appointment.pk}


@pytest.mark.django_db
def test_others_get_no_record_button(client, appointment, other_doctor, django_user_model):
    client.force_login(other_doctor.user)
    assert client.get(f"/consultations/{appointment.pk}/call/").status_code == 404
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    page = client.get(f"/consultations/{appointment.pk}/call/").content.decode()
    assert 'id="call"' in page and 'id="record"' not in page


@pytest.mark.browser
@pytest.mark.live
def test_doctor_records_the_call_in_chromium(
    daphne_server, live_data_dir, browser_factory, doctor, patient
):
    server = daphne_server
    appointment = outside_browser_loop(
        services.book_appointment,
        booked_by=doctor.user,
        health_id=patient.health_id,
        doctor=doctor,
        scheduled_for=now() + timedelta(minutes=5),
        reason="Rash",
    )
    _link, token = services.issue_link(appointment=appointment, by=doctor.user)
    browser = browser_factory(fake_media=True)
    errors: list[str] = []

    def new_page():
        context = browser.new_context(locale="en-US", viewport={"width": 900, "height": 800})
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": server.url}]
        )
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.on("pageerror", lambda err: errors.append(str(err)))
        return context, page

    _patient_ctx, patient_page = new_page()
    patient_page.goto(f"{server.url}/consultations/join/{token}/")
    guest = PatientLink.objects.get(appointment=appointment, revoked_at__isnull=True).guest
    outside_browser_loop(services.give_consent, appointment=appointment, user=guest)

    doctor_ctx, doctor_page = new_page()
    login_with_session(doctor_ctx, server.url, doctor.user)
    doctor_page.goto(f"{server.url}/consultations/{appointment.pk}/call/")
    doctor_page.wait_for_function("() => window.Sahakar.stream.state === 'open'")
    assert doctor_page.is_disabled("[data-action=record-start]")
    # The doctor consents elsewhere (the notes page): the panel follows without a reload.
    outside_browser_loop(services.give_consent, appointment=appointment, user=doctor.user)
    doctor_page.wait_for_selector("#record[data-state=idle]")
    assert doctor_page.is_enabled("[data-action=record-start]")
    assert doctor_page.is_hidden("[data-role=consent-needed]")
    assert doctor_page.locator("[data-consent=doctor]").get_attribute("data-given") == "1"
    outside_browser_loop(services.withdraw_consent, appointment=appointment, user=guest)
    doctor_page.wait_for_selector("#record[data-state=no_consent]")
    assert doctor_page.is_disabled("[data-action=record-start]")
    outside_browser_loop(services.give_consent, appointment=appointment, user=guest)
    doctor_page.wait_for_selector("#record[data-state=idle]")
    doctor_page.wait_for_selector("#call[data-state=ready]")
    doctor_page.click("#call [data-action=join]")
    doctor_page.wait_for_selector("#call[data-state=in_call]")
    patient_page.wait_for_selector("#call[data-state=ready]")
    patient_page.click("[data-action=join]")
    doctor_page.click("[data-role=participants] [data-action=admit]")
    doctor_page.wait_for_function(
        "() => { const v = document.querySelector('[data-role=remotes] video');"
        " return v && v.videoWidth > 0 && v.currentTime > 0.5; }"
    )

    doctor_page.click("[data-action=record-start]")
    doctor_page.wait_for_selector("#record[data-state=recording][data-connection=connected]")
    # Something to record: wait until the recorder has been sent a second of video.
    doctor_page.wait_for_function(
        """async () => {
            const stats = await document.getElementById("record").recordConnection.getStats();
            let frames = 0;
            stats.forEach((s) => {
                if (s.type === "outbound-rtp" && s.kind === "video") frames = s.framesSent || 0;
            });
            return frames >= 30;
        }""",
        timeout=30_000,
    )
    doctor_page.wait_for_timeout(1000)
    doctor_page.click("[data-action=record-stop]")
    doctor_page.wait_for_selector("#record[data-state=stopped]")
    assert errors == []

    recording = Recording.objects.get(appointment=appointment)
    assert recording.size > 0 and recording.started_by == doctor.user
    # Played back through the audited view, as the doctor.
    status, _headers, body = server.get(
        f"/consultations/recordings/{recording.key}/", cookie=login_cookie(doctor.user)
    )
    assert status == 200 and len(body) == recording.size
    assert AuditEntry.objects.filter(action="play", user=doctor.user).count() == 1
    played = live_data_dir / "played.mp4"
    played.write_bytes(body)
    with av.open(str(played)) as container:
        kinds = sorted(s.type for s in container.streams)
        frames = sum(1 for _ in container.decode(video=0))
    assert kinds == ["audio", "audio", "video"]  # the doctor's voice, the patient's voice
    assert frames >= 10  # and the patient's picture
