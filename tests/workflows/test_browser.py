"""The inbox page in Chromium (real Daphne) follows the stream: a step that opens shows up,
a decided one goes, without a reload, in Khmer."""

import pytest

from collab.accounts.models import Profile
from collab.workflows import services
from tests.support.browser import login_with_session, outside_browser_loop

from .conftest import LEAVE

pytestmark = [pytest.mark.live, pytest.mark.browser]


def test_the_inbox_page_gains_and_loses_steps_live(page, daphne_server, world):
    Profile.objects.filter(user=world.head.user).update(language="km")
    login_with_session(page.context, daphne_server.url, world.head.user)
    page.goto(f"{daphne_server.url}/workflows/")
    inbox = page.locator("[data-workflow-inbox]")
    assert inbox.locator(".empty").inner_text() == "គ្មានអ្វីកំពុងរង់ចាំអ្នកទេ។"
    page.wait_for_function("() => window.Sahakar.stream.state === 'open'")

    request = outside_browser_loop(services.start_request, person=world.nurse,
                                   definition=world.leave, data=LEAVE)
    card = inbox.locator(f"[data-step='{request.steps.get().pk}']")
    card.wait_for()
    assert card.locator("a").inner_text() == f"សំណើសុំច្បាប់ #{request.pk}"
    assert card.locator("a").get_attribute("href") == f"/workflows/requests/{request.pk}/"
    assert "ប្រធានអង្គភាពអនុម័ត" in card.inner_text()
    assert inbox.locator(".empty").count() == 0
    assert page.locator("[data-workflow-announce]").inner_text() == (
        "មានជំហានថ្មីមួយកំពុងរង់ចាំអ្នក។")

    outside_browser_loop(services.decide, person=world.head, step=request.steps.get(),
                         decision="approved")
    card.wait_for(state="detached")
    assert inbox.locator(".empty").inner_text() == "គ្មានអ្វីកំពុងរង់ចាំអ្នកទេ។"
