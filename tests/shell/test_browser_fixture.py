import asyncio

import pytest
from django.contrib.auth import get_user_model

from tests.support.browser import FAKE_MEDIA_ARGS, login_with_session

pytestmark = pytest.mark.browser


def test_page_reaches_live_server_and_orm_still_works(page, live_server):
    user = get_user_model().objects.create_user("fixture-user", password="x-Pass-12345")
    login_with_session(page.context, live_server.url, user)
    response = page.goto(f"{live_server.url}/healthz")
    assert response.status in (200, 503)
    assert "database" in page.content()


def test_fake_media_browser_grants_a_camera(browser_factory, live_server):
    browser = browser_factory(fake_media=True)
    page = browser.new_page()
    page.goto(f"{live_server.url}/healthz")
    tracks = page.evaluate(
        "navigator.mediaDevices.getUserMedia({video: true, audio: true})"
        ".then(s => s.getTracks().map(t => t.kind).sort())"
    )
    assert tracks == ["audio", "video"]
    assert FAKE_MEDIA_ARGS[0].startswith("--use-fake")


def test_no_running_loop_is_left_behind_after_a_browser_test():
    # Runs after the browser tests above: Playwright must have been stopped in teardown.
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
