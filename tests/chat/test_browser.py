"""Two Chromium contexts chat in real time through a real Daphne; one reads Khmer."""

import pytest
from django.conf import settings

from collab.accounts.services import set_language
from realtime.chat import services
from tests.support.browser import login_with_session, outside_browser_loop

pytestmark = [pytest.mark.browser, pytest.mark.live]
PRELOAD = ("tests.chat.live_hooks",)


def open_chat(browser, server, user, *, language: str, path: str):
    context = browser.new_context(
        locale="km-KH" if language == "km" else "en-US",
        viewport={"width": 390, "height": 800}
        if language == "km"
        else {"width": 1200, "height": 800},
    )
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server.url}]
    )
    set_language(user=user, language=language)  # the profile's language wins at login
    login_with_session(context, server.url, user)
    page = context.new_page()
    errors = []  # page errors, console errors, CSP violations
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.goto(server.url + path)
    page.wait_for_selector('#chat-conn[data-state="open"]', state="attached")
    return page, errors


def test_two_people_chat_in_real_time_one_in_khmer(live_servers, browser, alice, bob):
    (server,) = live_servers(preload=PRELOAD)
    # Service calls push to the channel layer: keep them out of Playwright's loop thread.
    room = outside_browser_loop(
        services.create_room, creator=alice, kind="public", name="ward-a", members=[bob]
    )
    other = outside_browser_loop(
        services.create_room, creator=alice, kind="public", name="ward-b", members=[bob]
    )

    page_a, errors_a = open_chat(
        browser, server, alice, language="en", path=f"/chat/rooms/{room.pk}/"
    )
    page_b, errors_b = open_chat(
        browser, server, bob, language="km", path=f"/chat/rooms/{room.pk}/"
    )
    assert page_b.locator("html").get_attribute("lang") == "km"
    assert page_b.locator("#chat-send").inner_text() == "ផ្ញើ"

    # Mention autocomplete by Khmer name, then send with Enter.
    composer = page_a.locator("#chat-input")
    composer.click()
    composer.press_sequentially("Morning @សុ")
    page_a.locator("#chat-suggest li", has_text="@bob").wait_for()
    composer.press("Enter")
    composer.press_sequentially("ready?")
    assert composer.input_value() == "Morning @bob ready?"
    # Typing reaches the other person before the message does.
    page_b.locator("#chat-typing", has_text="alice").wait_for()
    composer.press("Enter")

    incoming = page_b.locator(".chat-msg", has_text="ready?")
    incoming.wait_for()
    assert incoming.locator(".mention").inner_text() == "@bob"
    assert "mentions-me" in incoming.get_attribute("class")

    page_b.locator("#chat-input").fill("បាទ ខ្ញុំរួចរាល់ហើយ")
    page_b.locator("#chat-input").press("Enter")
    page_a.locator(".chat-msg", has_text="បាទ ខ្ញុំរួចរាល់ហើយ").wait_for()

    # A reaction from the Khmer side shows up on the English side.
    incoming.get_by_role("button", name="☺").click()
    incoming.locator(".chat-palette").get_by_role("button", name="👍").click()
    page_a.locator(".chat-msg", has_text="ready?").locator(
        ".chat-reactions button", has_text="👍 1"
    ).wait_for()

    # A thread reply from A appears in B's thread panel.
    page_a.locator(".chat-msg", has_text="ready?").locator(".chat-thread-link").click()
    page_a.locator("#chat-thread-input").fill("in the thread")
    page_a.locator("#chat-thread-composer button[type=submit]").click()
    page_a.locator("#chat-thread-messages .chat-msg", has_text="in the thread").wait_for()
    page_b.locator(".chat-msg", has_text="ready?").locator(
        ".chat-thread-link", has_text="1"
    ).wait_for()

    # A message in another room raises that room's unread badge for B (the room list
    # is off screen on B's phone-sized view while a room is open).
    outside_browser_loop(services.send_message, author=alice, room_id=other.pk, body="elsewhere")
    page_a.goto(server.url + f"/chat/rooms/{other.pk}/")
    page_a.wait_for_selector('#chat-conn[data-state="open"]', state="attached")
    page_a.locator("#chat-input").fill("count me")
    page_a.locator("#chat-input").press("Enter")
    page_b.locator(f'#chat-room-list a[data-room="{other.pk}"] .chat-badge', has_text="1").wait_for(
        state="attached"
    )
    page_b.reload()
    page_b.locator(f'#chat-room-list a[data-room="{other.pk}"] .chat-badge', has_text="2").wait_for(
        state="attached"
    )

    # Nothing twice after a reload (history + resume of the same events).
    page_b.locator(".chat-msg", has_text="ready?").wait_for()
    assert page_b.locator(".chat-msg", has_text="ready?").count() == 1

    assert errors_a == [] and errors_b == []
