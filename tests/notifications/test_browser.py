"""Chromium against a real Daphne: the on-call doctor's bell lights up when a nurse sends a
referral, and the doctor acknowledges it from the inbox."""

import pytest

from collab.health.models import Patient
from collab.notifications.models import Notification
from tests.support.browser import csp_violations, login_with_session

from .factories import build_org, referral_rule

pytestmark = [pytest.mark.browser, pytest.mark.live]

BELL = "document.getElementById('shell-bell-count')"


def test_on_call_doctors_bell_lights_up_and_they_acknowledge(page, daphne_server):
    org = build_org()
    referral_rule()
    Patient.objects.create(health_id="KH-9000", family_name_latin="Noun",
                           given_name_latin="Srey")
    doctor = org.people["oncall"].user
    login_with_session(page.context, daphne_server.url, doctor)
    page.goto(f"{daphne_server.url}/notifications/")
    page.wait_for_function("() => window.Sahakar && window.Sahakar.stream.state === 'open'")
    assert page.locator("#shell-bell-count").is_hidden()

    # the nurse, in her own browser, sends the referral through the referral form
    nurse = page.context.browser.new_context()
    login_with_session(nurse, daphne_server.url, org.people["nurse"].user)
    form = nurse.new_page()
    form.goto(f"{daphne_server.url}/health/referrals/new/")
    form.fill("input[name=health_id]", "kh-9000")
    form.select_option("select[name=to_unit]", str(org.hospital.pk))
    form.fill("textarea[name=reason]", "Fever for three days")
    with form.expect_navigation():
        form.click("[data-referral-form] button[type=submit]")
    assert "/health/referrals/" in form.url and "/new/" not in form.url
    nurse.close()

    page.wait_for_function(f"() => {BELL}.textContent === '1' && !{BELL}.hidden")
    assert page.locator("[data-notification-live]").is_visible()

    page.reload()
    item = page.locator("[data-notification-id] [data-ack]")
    assert item.count() == 1
    with page.expect_navigation():
        item.click()
    page.wait_for_function(f"() => {BELL}.hidden")
    assert page.locator("[data-notification-id] [data-ack]").count() == 0
    n = Notification.objects.get(event_type="referral.created")
    assert n.acknowledged_by == doctor and n.next_escalation_at is None
    assert n.event_key.startswith("referral:") and n.urgency == "urgent"
    assert not csp_violations(page), page.console_entries
