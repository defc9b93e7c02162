"""A consultation on phones, in Chromium against a real Daphne: the patient's page has no
staff navigation or search, "Join now" goes once joined, "Please wait" gives way once the
doctor admits them, and both sides fit 360 px with the controls in reach."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import translation

from collab.consultations import services
from collab.core.clock import now
from collab.directory.models import Person
from collab.health.models import Patient
from tests.support.browser import login_with_session, outside_browser_loop

pytestmark = [pytest.mark.browser, pytest.mark.live]

PHONE = {"width": 360, "height": 640}
SHOTS = settings.BASE_DIR / "var" / "screenshots"


def km(text: str) -> str:
    with translation.override("km"):
        return translation.gettext(text)


def fits(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], width
    leave = page.locator("[data-action=leave]").bounding_box()
    assert leave and leave["y"] + leave["height"] <= PHONE["height"], leave  # in thumb reach


def test_consultation_on_two_phones(daphne_server, browser_factory, django_user_model):
    user = django_user_model.objects.create_user("dr-sok")
    doctor = Person.objects.create(user=user, employee_id="E1", family_name_en="Sok",
                                   given_name_en="Dara", family_name_km="សុខ", given_name_km="ដារា")
    Patient.objects.create(health_id="KH-0009", family_name_latin="Chan", given_name_latin="Srey",
                           family_name_km="ចាន់", given_name_km="ស្រី")
    appointment = outside_browser_loop(
        services.book_appointment, booked_by=user, health_id="KH-0009", doctor=doctor,
        scheduled_for=now() + timedelta(hours=1), reason="Fever",
    )
    token = outside_browser_loop(services.issue_link, appointment=appointment, by=user)[1]
    browser = browser_factory(fake_media=True)
    base = daphne_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)

    doctor_context = browser.new_context(viewport=PHONE, locale="km-KH")
    doctor_context.set_default_timeout(30_000)
    login_with_session(doctor_context, base, user)
    doctor_page = doctor_context.new_page()
    doctor_page.goto(f"{base}/consultations/{appointment.pk}/call/")
    doctor_page.wait_for_selector("#call[data-state=ready]")
    doctor_page.click("[data-action=join]")
    doctor_page.wait_for_selector("#call[data-state=in_call]")
    assert not doctor_page.is_visible("[data-action=join]")

    patient_context = browser.new_context(viewport=PHONE, locale="km-KH")
    patient_context.set_default_timeout(30_000)
    patient_context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "km",
                                  "url": base}])
    patient = patient_context.new_page()
    patient.goto(f"{base}/consultations/join/{token}/")
    assert patient.url.endswith("/consultations/visit/")
    assert patient.locator(".shell-nav, .shell-search, #shell-bell").count() == 0
    patient.wait_for_selector("#call[data-state=ready]")
    patient.click("[data-action=join]")
    patient.wait_for_selector("#call[data-state=waiting]")
    status = patient.locator(".call-status")
    assert status.inner_text() == km("Please wait: the doctor will let you in.")
    assert not patient.is_visible("[data-action=join]")
    patient.screenshot(path=str(SHOTS / "call-patient-waiting-360.png"), full_page=True)

    outside_browser_loop(services.admit_patient, appointment=appointment, by=user)
    patient.wait_for_selector("#call[data-state=in_call]")
    assert status.inner_text() == km("You are in the call.")
    # Each sees the other's picture in a tile; their own shrinks into its corner.
    for page in (patient, doctor_page):
        page.wait_for_selector(".call-remotes video")
        page.wait_for_function("() => document.querySelector('.call-remotes video').videoWidth > 0")
        fits(page)
    local = patient.locator("video[data-role=local]").bounding_box()
    remote = patient.locator(".call-remotes video").bounding_box()
    assert local["width"] < remote["width"] / 2, (local, remote)
    patient.screenshot(path=str(SHOTS / "call-patient-in-call-360.png"), full_page=True)
    doctor_page.screenshot(path=str(SHOTS / "call-doctor-in-call-360.png"), full_page=True)
