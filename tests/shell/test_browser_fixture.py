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


def test_an_english_page_draws_the_word_khmer_with_the_bundled_subset(page, daphne_server, db):
    """This machine has no Khmer system font: without the subset the switch shows boxes."""
    user = get_user_model().objects.create_user("reader", password="x-Secret-123")
    login_with_session(page.context, daphne_server.url, user)
    fonts = []
    page.on("request", lambda r: r.url.endswith(".woff2") and fonts.append(r.url))
    page.goto(daphne_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    button = page.locator('.shell-language button[lang="km"]')
    assert button.inner_text() == "ខ្មែរ"
    page.evaluate("() => document.fonts.ready")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root,
                                          "selector": '.shell-language button[lang="km"]'})
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    assert [f["familyName"] for f in used] == ["Noto Sans Khmer"], used
    assert [u.rsplit("/", 1)[1].split(".")[0] for u in fonts] == ["NotoSansKhmer-Endonym"]
    # Other Khmer text on an English page (a name, a chat message): the full web font.
    page.evaluate("""() => { const p = document.createElement("p"); p.id = "km-text";
        p.textContent = "សួស្តីពិភពលោក"; document.querySelector("main").append(p);
        return document.fonts.load("16px 'Noto Sans Khmer'", p.textContent); }""")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "#km-text"})
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    assert [f["familyName"] for f in used] == ["Noto Sans Khmer"], used
