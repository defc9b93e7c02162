"""Calls in Chromium (Playwright, fake camera and microphone) against a real Daphne.

1. join → first remote video frame: one page waits in a meeting; another loads the
   meeting page, and we time from its "Join now" click to the first frame painted in its
   remote video (requestVideoFrameCallback), RUNS times (mesh, or --relay).
2. audio-only bitrate: two pages join with "Audio only" ticked; outbound-rtp audio bytesSent
   of one page over SECONDS (payload, and payload plus RTP headers).

Prints the load average with the figures. The data dir (SQLite, migrated on first use, which
takes a while) is kept for the next run.
Run: python bench/call_browser.py [--runs 10] [--seconds 10] [--relay] [--data-dir DIR]
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

INSTALL_FIRST_FRAME = """() => {
  window.__firstFrame = new Promise((resolve) => {
    const box = document.querySelector('[data-role=remotes]');
    new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach((node) => {
      if (node.tagName !== 'VIDEO') return;
      node.requestVideoFrameCallback(() => resolve(performance.now()));
    }))).observe(box, { childList: true });
  });
}"""
CLICK_JOIN = """() => {
  window.__joinAt = performance.now();
  document.querySelector('[data-action=join]').click();
}"""
AUDIO_BYTES = """async () => {
  const call = window.Sahakar.call;
  let payload = 0, headers = 0;
  for (const pc of call.connections()) {
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'audio') {
        payload += s.bytesSent; headers += s.headerBytesSent || 0;
      }
    });
  }
  return [payload, headers, performance.now()];
}"""
OPUS_FMTP = """() => {
  const pc = window.Sahakar.call.connections()[0];
  const sdp = pc.remoteDescription.sdp;
  const pt = sdp.match(/a=rtpmap:(\\d+) opus/i)[1];
  return (sdp.match(new RegExp('a=fmtp:' + pt + ' (.*)')) || [, ''])[1].trim();
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--relay", action="store_true", help="time joins through the relay")
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench-call-browser"))
    args = parser.parse_args()

    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SAHAKAR_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if args.relay:  # bench/call_relay_mode.py sets the mesh limit to 1 inside Daphne
        env["SAHAKAR_LIVE_PRELOAD"] = "bench.call_relay_mode"
    app = "tests.support.live_asgi:application" if args.relay else "collab.asgi:application"
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_serving(base)
        _run(base, args)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _run(base: str, args) -> None:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM_ARGS, FAKE_MEDIA_ARGS

    # Everything that writes to the database before Playwright marks this thread async.
    host, guest = _users()
    cookies = {user.pk: _session_cookie(user) for user in (host, guest)}
    join_meeting, audio_meeting = (_meeting(host, guest, t) for t in ("Join timing", "Audio"))
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS + FAKE_MEDIA_ARGS
        )
        meeting = join_meeting
        waiting = _page(browser, base, cookies[host.pk])
        _enter(waiting, base, meeting)
        joiner = _page(browser, base, cookies[guest.pk])
        times = []
        for _ in range(args.runs):
            joiner.goto(f"{base}/meetings/{meeting}/")
            joiner.wait_for_selector("#call[data-state=ready]")
            joiner.evaluate(INSTALL_FIRST_FRAME)
            joiner.evaluate(CLICK_JOIN)
            times.append(
                joiner.evaluate("() => window.__firstFrame.then((t) => t - window.__joinAt)")
            )
            joiner.click("[data-action=leave]")
        mode = "relay" if args.relay else "mesh"
        print(
            f"join → first remote frame ({mode}, {len(times)} joins): {_summary(times)}; "
            f"load average {_load()}"
        )

        if not args.relay:
            a, b = _page(browser, base, cookies[host.pk]), _page(browser, base, cookies[guest.pk])
            for page in (a, b):
                _enter(page, base, audio_meeting, audio_only=True)
            a.wait_for_function("() => window.Sahakar.call.connections().length > 0")
            time.sleep(2)  # connected and past the first packets
            payload0, headers0, t0 = a.evaluate(AUDIO_BYTES)
            time.sleep(args.seconds)
            payload1, headers1, t1 = a.evaluate(AUDIO_BYTES)
            seconds = (t1 - t0) / 1000
            kbps = (payload1 - payload0) * 8 / seconds / 1000
            with_headers = (payload1 + headers1 - payload0 - headers0) * 8 / seconds / 1000
            print(
                f"audio-only call, Chromium sender over {seconds:.1f} s: {kbps:.1f} kbps payload, "
                f"{with_headers:.1f} kbps with RTP headers; Opus fmtp {a.evaluate(OPUS_FMTP)}; "
                f"load average {_load()}"
            )
        browser.close()


def _summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms, "
        f"min {ordered[0]:.0f} ms, max {ordered[-1]:.0f} ms"
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _users():
    from django.contrib.auth import get_user_model

    users = [
        get_user_model().objects.get_or_create(username=name)[0]
        for name in ("bench-call-host", "bench-call-guest")
    ]
    return users


def _meeting(host, guest, title: str) -> int:
    from realtime.calls.services import create_meeting

    return create_meeting(host=host, title=title, invitees=[guest]).pk


def _session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _page(browser, base: str, session: str):
    from django.conf import settings

    context = browser.new_context(locale="en-US")
    context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base},
        ]
    )
    context.set_default_timeout(60_000)
    return context.new_page()


def _enter(page, base: str, meeting: int, *, audio_only: bool = False) -> None:
    page.goto(f"{base}/meetings/{meeting}/")
    page.wait_for_selector("#call[data-state=ready]")
    if audio_only:
        page.check("[name=audio_only]")
    page.click("[data-action=join]")
    page.wait_for_selector("#call[data-state=in_call]")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_serving(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=5)
            return
        except urllib.error.HTTPError:  # 503 without a worker: serving all the same
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("Daphne did not start")


if __name__ == "__main__":
    main()
