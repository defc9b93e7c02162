"""realtime/static/realtime/stream.js in Debian's Chromium against a real Daphne."""

import pytest
from django.db import transaction

from realtime.services import publish
from tests.realtime.conftest import HOOKS
from tests.support.browser import login_with_session, outside_browser_loop

pytestmark = [pytest.mark.live, pytest.mark.browser]


def _publish_for(user_id: int, count: int) -> list[int]:
    seqs = []
    for n in range(count):
        with transaction.atomic():
            seqs.append(publish(type="test.event", payload={"n": n}, user_id=user_id).seq)
    return seqs


def open_stream(page, server) -> None:
    # Any same-origin page will do: stream.js needs no markup.
    page.goto(f"{server.url}/healthz")
    # data-manual: the listeners are in place before the socket opens, so events resumed
    # right after `hello` cannot slip past them.
    page.evaluate(
        """(url) => new Promise((resolve, reject) => {
            const script = Object.assign(document.createElement("script"), {src: url});
            script.dataset.manual = "";
            script.onload = resolve;
            script.onerror = reject;
            document.head.appendChild(script);
        })""",
        f"{server.url}/static/realtime/stream.js",
    )
    page.evaluate(
        """() => {
            window.got = [];
            window.states = [];
            Sahakar.stream.on("test.event", (frame) => window.got.push(frame.seq));
            Sahakar.stream.on("state", (state) => window.states.push(state));
            Sahakar.stream.start();
        }"""
    )
    page.wait_for_function("() => window.Sahakar.stream.state === 'open'")


def test_stream_js_resumes_after_reconnect_and_page_load(live_servers, make_user, page):
    (server,) = live_servers(1, preload=HOOKS)
    user = make_user()
    login_with_session(page.context, server.url, user)
    open_stream(page, server)
    assert page.evaluate("Sahakar.stream.user.id") == user.pk

    # Live: the page asks the server to publish to its own user.
    page.evaluate(f"Sahakar.stream.send({{type: 'test.publish', count: 2, user_id: {user.pk}}})")
    page.wait_for_function("() => window.got.length === 2")
    live = page.evaluate("window.got")

    # Missed while disconnected: delivered once, in order, after reconnecting.
    page.evaluate("Sahakar.stream.stop()")
    missed = outside_browser_loop(_publish_for, user.pk, 3)
    page.evaluate("Sahakar.stream.start()")
    page.wait_for_function("() => window.got.length === 5")
    assert page.evaluate("window.got") == live + missed
    assert page.evaluate("Sahakar.stream.lastSeq") == missed[-1]
    # The server's checkpoint after the resume covers them all: nothing left to "have".
    page.wait_for_function("() => !Sahakar.stream.resuming")  # `resumed` follows the events
    assert page.evaluate("Sahakar.stream.checkpoint") >= missed[-1]
    assert page.evaluate("Sahakar.stream._have()") == []

    # A dropped connection reconnects by itself (backoff) and resumes.
    page.evaluate("Sahakar.stream._socket.close()")
    page.wait_for_function("() => window.states.includes('reconnecting')")
    page.wait_for_function("() => Sahakar.stream.state === 'open'")
    more = outside_browser_loop(_publish_for, user.pk, 1)
    page.evaluate("Sahakar.stream.stop()")
    page.evaluate("Sahakar.stream.start()")
    page.wait_for_function("() => window.got.length === 6")
    assert page.evaluate("window.got") == live + missed + more

    # The next page of the tab resumes from the stored position: only what is new. (Published
    # with this page's socket closed, or this page could take them live and the next skip them.)
    page.evaluate("Sahakar.stream.stop()")
    newer = outside_browser_loop(_publish_for, user.pk, 2)
    open_stream(page, server)
    page.wait_for_function("() => window.got.length === 2")
    assert page.evaluate("window.got") == newer


def test_stream_js_stops_on_4401(daphne_server, page):
    page.goto(f"{daphne_server.url}/healthz")
    page.add_script_tag(url=f"{daphne_server.url}/static/realtime/stream.js")
    page.wait_for_function("() => window.Sahakar.stream.state === 'unauthorized'")
