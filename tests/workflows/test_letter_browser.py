"""Chromium against a real Daphne, two browsers: the registrar registers an incoming letter
with its scan; the unit head opens it, reads the scan, writes the minute and forwards it to a
staff member chosen with the people picker; the registrar sees where it went."""

import pytest

from tests.support.browser import ConsoleEntry, csp_violations, login_with_session

from .test_letter import PDF

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_registrar_registers_a_letter_and_the_unit_head_forwards_it(page, daphne_server, world):
    base = daphne_server.url
    login_with_session(page.context, base, world.nurse.user)
    page.goto(f"{base}/workflows/new/incoming-letter/")
    page.fill("input[name=sender]", "Ministry of Health")
    page.fill("input[name=letter_date]", "2026-12-01")
    page.fill("input[name=subject]", "Measles vaccination campaign")
    page.set_input_files("input[name=scan]", files=[
        {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    reference = page.locator("h1 [data-reference]").inner_text()
    assert reference.startswith("IN-") and reference.endswith("/0001")

    head_context = page.context.browser.new_context(locale="en-US")
    head_context.set_default_timeout(10_000)
    login_with_session(head_context, base, world.head.user)
    head = head_context.new_page()
    head.console_entries = []
    head.on("console", lambda msg: head.console_entries.append(ConsoleEntry(msg.type, msg.text)))
    head.goto(f"{base}/workflows/")
    with head.expect_navigation():
        head.click("[data-workflow-inbox] a")
    assert reference in head.locator("h1").inner_text()
    with head.expect_download() as download:
        head.click("[data-files] a")
    assert download.value.suggested_filename == "letter.pdf"

    form = head.locator("[data-decide]")
    form.locator("input[name=decision][value=approved]").check()
    form.locator("textarea[name=reason]").fill("Prepare the vaccination plan")
    search = form.locator("[data-forward] [role=combobox]")
    search.fill("deputy")
    head.locator("[role=option]", has_text="Deputy Test").wait_for()
    search.press("Enter")
    assert form.locator("input[name=forward_to]").input_value() == "E-deputy"
    with head.expect_navigation():
        form.locator("button[type=submit]").click()
    timeline = head.locator(".workflow-timeline").inner_text()
    assert "Prepare the vaccination plan" in timeline and "→ Deputy Test" in timeline
    assert not csp_violations(head), head.console_entries
    head_context.close()

    page.reload()
    waiting = page.locator(".workflow-steps [data-status=open]").inner_text()
    assert "Draft the reply" in waiting and "Deputy Test" in waiting
    assert not csp_violations(page), page.console_entries
