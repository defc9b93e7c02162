"""A doctor and a patient (by one-time link) see each other's video in two Chromium pages
with fake camera and microphone, through a real Daphne: lobby, admit, mesh WebRTC."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from collab.consultations import services as consultations
from collab.core.clock import now
from collab.directory.models import Person
from collab.health.models import Patient
from tests.support.browser import login_with_session, outside_browser_loop

pytestmark = [pytest.mark.browser, pytest.mark.live]

REMOTE_PLAYING = """() => {
  const v = document.querySelector('[data-role=remotes] video');
  if (!v || v.readyState < 2) return false;
  window.__t0 = window.__t0 ?? v.currentTime;
  return v.currentTime > window.__t0 + 0.5 && v.videoWidth > 0;
}"""


def _page(browser, server, errors: list):
    context = browser.new_context(locale="en-US", viewport={"width": 900, "height": 800})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": server.url}])
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("pageerror", lambda err: errors.append(str(err)))
    return context, page


def test_doctor_admits_patient_and_both_see_video(daphne_server, browser_factory):
    server = daphne_server
    doctor_user = get_user_model().objects.create_user("dr-sokha", password="x")
    doctor = Person.objects.create(
        user=doctor_user, employee_id="E900", family_name_en="Sokha", given_name_en="Dr"
    )
    Patient.objects.create(
        health_id="KH-7777", family_name_latin="Chan", given_name_latin="Srey", sex="female"
    )
    appointment = outside_browser_loop(
        consultations.book_appointment,
        booked_by=doctor_user,
        health_id="KH-7777",
        doctor=doctor,
        scheduled_for=now() + timedelta(minutes=5),
        reason="Cough",
    )
    _link, token = consultations.issue_link(appointment=appointment, by=doctor_user)

    browser = browser_factory(fake_media=True)
    errors: list[str] = []
    doctor_ctx, doctor_page = _page(browser, server, errors)
    login_with_session(doctor_ctx, server.url, doctor_user)
    doctor_page.goto(f"{server.url}/meetings/{appointment.meeting_id}/")
    doctor_page.wait_for_selector("#call[data-state=ready]")
    doctor_page.click("[data-action=join]")
    doctor_page.wait_for_selector("#call[data-state=in_call]")

    _patient_ctx, patient_page = _page(browser, server, errors)
    patient_page.goto(f"{server.url}/consultations/join/{token}/")
    assert patient_page.url.endswith("/consultations/visit/")
    patient_page.wait_for_selector("#call[data-state=ready]")
    patient_page.click("[data-action=join]")
    patient_page.wait_for_selector("#call[data-state=waiting]")

    doctor_page.click("[data-role=participants] [data-action=admit]")
    patient_page.wait_for_selector("#call[data-state=in_call]")
    doctor_page.wait_for_function(REMOTE_PLAYING)
    patient_page.wait_for_function(REMOTE_PLAYING)
    assert errors == []

    appointment.refresh_from_db()
    assert appointment.status == "in_progress"  # admitted over the socket
    assert appointment.meeting.participants.filter(state="admitted").count() == 2
