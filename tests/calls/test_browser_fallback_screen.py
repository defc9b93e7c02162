"""Two Chromium pages in a mesh call: screen share replaces the camera picture the other side
receives, and the automatic audio-only fallback decides from getStats() samples (fed here
with a slow link's figures) and stops sending video."""

import pytest
from django.contrib.auth import get_user_model

from realtime.calls.services import create_meeting
from tests.support.browser import join_meeting, outside_browser_loop

pytestmark = [pytest.mark.browser, pytest.mark.live]

SCREEN_ARGS = (
    "--auto-select-desktop-capture-source=Entire screen",
    "--enable-usermedia-screen-capturing",
)
REMOTE_WIDTH = """(width) => {
  const v = document.querySelector('[data-role=remotes] video');
  return !!v && v.videoWidth === width && v.currentTime > 0.5;
}"""
# What getStats() reports on a 100 kbps uplink (one connection, one candidate pair).
SLOW_LINK = [
    [
        {
            "type": "candidate-pair",
            "nominated": True,
            "state": "succeeded",
            "currentRoundTripTime": 0.35,
            "availableOutgoingBitrate": 100_000,
        }
    ]
]


def test_screen_share_then_automatic_audio_only(daphne_server, browser_factory):
    users = [get_user_model().objects.create_user(f"share{n}", password="x") for n in range(2)]
    meeting = outside_browser_loop(
        create_meeting, host=users[0], title="Training slides", invitees=users[1:]
    )
    browser = browser_factory(fake_media=True, extra_args=SCREEN_ARGS)
    sharer, viewer = (join_meeting(browser, daphne_server.url, u, meeting) for u in users)
    viewer.wait_for_function(REMOTE_WIDTH, arg=640)  # the fake camera

    sharer.click("[data-action=screen]")
    viewer.wait_for_function(REMOTE_WIDTH, arg=1280)  # the fake screen, 1280×720

    sample = sharer.evaluate("(r) => window.Sahakar.callQuality(r)", SLOW_LINK)
    assert sample["quality"] == "poor" and sample["available"] == 100_000
    good = [
        [{**SLOW_LINK[0][0], "currentRoundTripTime": 0.02, "availableOutgoingBitrate": 2_000_000}]
    ]
    assert sharer.evaluate("(r) => window.Sahakar.callQuality(r).quality", good) == "good"

    # Two slow samples then a good one: no fallback; three slow ones in a row: audio only.
    # (One evaluate: the page's own 2-second sampling must not slip in between.)
    states = sharer.evaluate(
        """([slow, good]) => {
      const call = window.Sahakar.call, q = window.Sahakar.callQuality;
      const states = [];
      [slow, slow, good, slow, slow, slow].forEach((r) => {
        call.onSample(q(r));
        states.push(call.root.dataset.state);
      });
      return states;
    }""",
        [SLOW_LINK, good],
    )
    assert states == ["in_call"] * 5 + ["fallback"]
    sharer.wait_for_selector("#call[data-state=fallback]")
    assert sharer.evaluate("""() => window.Sahakar.call.connections().every((pc) =>
      pc.getSenders().every((s) => !s.track || s.track.kind === 'audio'))""")
    viewer.wait_for_function(
        "(id) => document.querySelector(`[data-role=participants] li[data-user='${id}']`)"
        ".textContent.includes('(audio only)')",
        arg=users[0].pk,
    )
