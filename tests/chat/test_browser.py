"""Two Chromium contexts chat in real time through a real Daphne; one reads Khmer."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

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
    incoming.locator(".chat-react").click()
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
        ".chat-thread-link", has_text="ការឆ្លើយតប 1"
    ).wait_for()
    thread_link = page_a.locator(".chat-msg", has_text="ready?").locator(".chat-thread-link")
    expect(thread_link).to_have_text("1 reply")  # not "1 replies"

    # A message in another room raises that room's unread badge for B (the room list
    # is off screen on B's phone-sized view while a room is open).
    badge = page_b.locator(f'#chat-room-list a[data-room="{other.pk}"] .chat-badge')
    outside_browser_loop(services.send_message, author=alice, room_id=other.pk, body="elsewhere")
    expect(badge).to_have_text("1")
    page_a.goto(server.url + f"/chat/rooms/{other.pk}/")
    page_a.wait_for_selector('#chat-conn[data-state="open"]', state="attached")
    page_a.locator("#chat-input").fill("count me")
    page_a.locator("#chat-input").press("Enter")
    expect(badge).to_have_text("2")
    # After a reload the count comes from the server, and the resume adds nothing to it.
    page_b.reload()
    page_b.wait_for_selector('#chat-conn[data-state="open"]', state="attached")
    expect(badge).to_have_text("2")

    # Nothing twice after a reload (history + resume of the same events).
    page_b.locator(".chat-msg", has_text="ready?").wait_for()
    assert page_b.locator(".chat-msg", has_text="ready?").count() == 1

    assert errors_a == [] and errors_b == []


def test_room_tools_settings_pins_history_inline_edit_and_new_conversations(
    live_servers, browser, alice, bob, carol
):
    (server,) = live_servers(preload=PRELOAD)
    room = outside_browser_loop(
        services.create_room, creator=alice, kind="private", name="leads", members=[bob]
    )
    msg, _created = outside_browser_loop(
        services.send_message, author=alice, room_id=room.pk, body="first draft"
    )
    outside_browser_loop(services.set_pinned, user=bob, message_id=msg.pk, pinned=True)

    page_a, errors_a = open_chat(
        browser, server, alice, language="en", path=f"/chat/rooms/{room.pk}/"
    )
    page_b, errors_b = open_chat(
        browser, server, bob, language="km", path=f"/chat/rooms/{room.pk}/"
    )
    prompts = []  # an inline editor, never the browser's prompt()

    def on_dialog(dialog):
        if dialog.type == "prompt":
            prompts.append(dialog.message)
            dialog.dismiss()
        else:
            dialog.accept()

    page_a.on("dialog", on_dialog)
    meeting = page_a.locator("#chat-meeting")
    assert meeting.get_attribute("action") == f"/meetings/from-room/{room.pk}/"

    # Inline edit: Escape keeps the old text, Enter saves; B sees "edited" live.
    mine = page_a.locator(f"#message-{msg.pk}")
    mine.get_by_role("button", name="Edit", exact=True).click()
    editor = mine.locator("textarea.chat-edit-input")
    assert editor.input_value() == "first draft"
    editor.fill("thrown away")
    editor.press("Escape")
    mine.locator(".chat-body", has_text="first draft").wait_for()
    mine.get_by_role("button", name="Edit", exact=True).click()
    mine.locator("textarea.chat-edit-input").fill("second version")
    mine.locator("textarea.chat-edit-input").press("Enter")
    mine.locator(".chat-body", has_text="second version").wait_for()
    theirs = page_b.locator(f"#message-{msg.pk}")
    theirs.locator(".chat-body", has_text="second version").wait_for()

    # B (Khmer, phone) opens the edit history from the "edited" mark.
    theirs.locator("button.chat-edited").click()
    page_b.locator("#chat-history-list .chat-history-old pre", has_text="first draft").wait_for()
    page_b.locator("#chat-panel-close").click()

    # Pinned panel lists the pinned message and jumps to it.
    page_a.get_by_role("button", name="Pinned messages").click()
    pin = page_a.locator("#chat-pins-list .chat-pin", has_text="second version")
    pin.get_by_role("button", name="Go to message").click()
    page_a.locator(f"#message-{msg.pk}.chat-flash").wait_for()

    # Settings: topic reaches B live; roles; invite by Khmer name; remove.
    page_a.get_by_role("button", name="Room settings").click()
    page_a.locator("#chat-set-topic").fill("Night shift")
    page_a.locator("#chat-settings-form button[type=submit]").click()
    page_a.locator("#chat-settings-note", has_text="Saved.").wait_for()
    page_b.locator("#chat-room-topic", has_text="Night shift").wait_for()
    page_a.locator('#chat-members li[data-user="bob"] select').select_option("moderator")
    expect(page_a.locator('#chat-members li[data-user="bob"] select')).to_have_value("moderator")
    invite = page_a.locator("#chat-invite-input")
    invite.press_sequentially("កែវ")
    page_a.locator("#chat-invite-suggest li", has_text="@carol").wait_for()
    invite.press("Enter")
    page_a.locator('#chat-invite-chosen li[data-user="carol"]').wait_for()
    page_a.locator("#chat-invite button[type=submit]").click()
    carol_row = page_a.locator('#chat-members li[data-user="carol"]')
    carol_row.wait_for()
    carol_row.get_by_role("button", name="Remove", exact=True).click()  # confirm() accepted
    carol_row.wait_for(state="detached")
    roles = outside_browser_loop(
        lambda: dict(room.memberships.values_list("user__username", "role"))
    )
    assert roles == {"alice": "owner", "bob": "moderator"}

    # Archive: B's composer goes away live and B is told why.
    page_a.locator("#chat-set-archived").check()
    page_a.locator("#chat-settings-form button[type=submit]").click()
    page_b.locator("#chat-composer").wait_for(state="hidden")
    page_b.locator("#chat-archived").wait_for()
    page_a.locator("#chat-archived").wait_for()

    # Removed while reading: B's open room closes live, history included.
    outside_browser_loop(services.remove_member, actor=alice, room_id=room.pk, user=bob)
    page_b.locator("#chat-gone").wait_for()
    expect(page_b.locator("#chat-messages li")).to_have_count(0)
    expect(page_b.locator(f'#chat-room-list a[data-room="{room.pk}"]')).to_have_count(0)

    # A group DM from the people picker (Khmer and Latin names), then a new private channel.
    page_a.goto(server.url + "/chat/")
    page_a.wait_for_selector('#chat-conn[data-state="open"]', state="attached")
    picker = page_a.locator("#chat-dm-input")
    picker.press_sequentially("សុខ")
    page_a.locator("#chat-dm-suggest li", has_text="@bob").click()
    picker.press_sequentially("keo")
    page_a.locator("#chat-dm-suggest li", has_text="@carol").wait_for()
    picker.press("Enter")
    page_a.locator("#chat-new-dm button[type=submit]").click()
    page_a.wait_for_url("**/chat/rooms/*/")
    page_a.locator("#chat-room-name", has_text="Sok Bob").wait_for()
    assert "Keo Carol" in page_a.locator("#chat-room-name").inner_text()
    page_a.locator("#chat-input").fill("group hello")
    page_a.locator("#chat-input").press("Enter")
    page_a.locator(".chat-msg:not(.pending)", has_text="group hello").wait_for()

    page_a.locator("#chat-new-name").fill("night-ops")
    page_a.locator("#chat-new-room select").select_option("private")
    page_a.locator("#chat-new-room button[type=submit]").click()
    page_a.locator("#chat-room-name", has_text="night-ops").wait_for()
    page_a.locator("#chat-room-list a", has_text="🔒 night-ops").wait_for()

    assert prompts == []
    assert errors_a == [] and errors_b == []
