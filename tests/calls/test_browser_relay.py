"""Three Chromium pages (fake camera and microphone) in one meeting with a mesh limit of two:
two start peer to peer, the third's arrival moves everyone to the server relay (which offers
again to those already subscribed), and when it leaves the other two go back to the mesh.
Each page shows the others' video playing at every step."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from realtime.calls.services import create_meeting
from tests.support.browser import join_meeting, outside_browser_loop

pytestmark = [pytest.mark.browser, pytest.mark.live]

# Every remote tile of the page is a playing video: frames decoded and time moving on.
OTHERS_PLAYING = """([count, mode]) => {
  const root = document.getElementById('call');
  const videos = [...root.querySelectorAll('[data-role=remotes] video')];
  if (root.dataset.mode !== mode || videos.length !== count) return false;
  window.__since = window.__since || new Map();
  return videos.every((v) => {
    if (v.readyState < 2 || v.videoWidth === 0 || !v.srcObject) return false;
    const key = mode + v.dataset.user;
    if (!window.__since.has(key)) window.__since.set(key, v.currentTime);
    return v.currentTime > window.__since.get(key) + 0.5;
  });
}"""


# What a page holds when a wait fails: the failure then says which tile or connection stalled.
CALL_STATE = """() => {
  const root = document.getElementById('call');
  const call = window.Sahakar && window.Sahakar.call;
  const state = (pc) => pc && `${pc.connectionState}/${pc.signalingState}`;
  return {
    mode: root.dataset.mode, relay: root.dataset.relay, starts: root.dataset.relayStarts,
    pub: call && state(call.relayPub), sub: call && state(call.relaySub),
    tiles: [...root.querySelectorAll('[data-role=remotes] video')].map((v) => ({
      user: v.dataset.user, video: v.dataset.video, ready: v.readyState,
      width: v.videoWidth, time: v.currentTime,
    })),
  };
}"""


def _wait_playing(pages, count, mode, timeout=30_000):
    for page in pages:
        try:
            page.wait_for_function(OTHERS_PLAYING, arg=[count, mode], timeout=timeout)
        except PlaywrightTimeout:
            states = [p.evaluate(CALL_STATE) for p in pages]
            raise AssertionError(f"not {count} playing in {mode}: {states}") from None


def _join(browser, server, user, meeting, errors):
    viewport = {"width": 800, "height": 600}
    return join_meeting(browser, server.url, user, meeting, errors=errors, viewport=viewport)


def test_third_person_moves_the_call_to_the_relay_and_back(live_servers, browser_factory):
    (server,) = live_servers(preload=("tests.calls.mesh_of_two",))
    users = [get_user_model().objects.create_user(f"relay-page{n}", password="x") for n in range(3)]
    meeting = outside_browser_loop(
        create_meeting, host=users[0], title="District review", invitees=users[1:]
    )
    browser = browser_factory(fake_media=True)
    errors: list[str] = []

    first, second = (_join(browser, server, u, meeting, errors) for u in users[:2])
    _wait_playing([first, second], 1, "mesh")

    third = _join(browser, server, users[2], meeting, errors)
    _wait_playing([first, second, third], 2, "relay")
    tiles = third.eval_on_selector_all(
        "[data-role=remotes] video", "vs => vs.map(v => Number(v.dataset.user)).sort()"
    )
    assert tiles == sorted(u.pk for u in users[:2])

    third.click("[data-action=leave]")
    _wait_playing([first, second], 1, "mesh")
    assert errors == []


def test_the_pages_rebuild_their_relay_connections_when_the_relay_vanishes(
    live_servers, browser_factory
):
    """The relay is dropped under the pages (as when its process dies: nobody is told); each
    page sees its relay connection fail, publishes and subscribes again, and the others'
    video plays again."""
    (server,) = live_servers(preload=("tests.calls.mesh_of_two", "tests.calls.relay_crash"))
    users = [get_user_model().objects.create_user(f"crash-page{n}", password="x") for n in range(3)]
    meeting = outside_browser_loop(
        create_meeting, host=users[0], title="Provincial drill", invitees=users[1:]
    )
    browser = browser_factory(fake_media=True)
    errors: list[str] = []
    pages = [_join(browser, server, u, meeting, errors) for u in users]
    _wait_playing(pages, 2, "relay")
    starts = [int(page.get_attribute("#call", "data-relay-starts")) for page in pages]

    pages[0].evaluate(
        f"Sahakar.stream.send({{type: 'test.relay.crash', meeting: {meeting.pk}}})"
    )
    for page, before in zip(pages, starts, strict=True):
        page.wait_for_function(
            "(before) => Number(document.getElementById('call').dataset.relayStarts) > before",
            arg=before,
            timeout=45_000,
        )
        page.evaluate("window.__since = new Map()")  # playing again means time moves again
    _wait_playing(pages, 2, "relay", timeout=45_000)
    for page in pages:
        page.wait_for_selector("#call[data-relay=connected]")
    assert errors == []
