"""A nurse on a slow mobile link: what the first and the second visit of a page cost.

    .venv/bin/python bench/low_bandwidth.py [--data-dir DIR] [--kbps 400] [--rtt 400]

Chromium (Debian's, headless) with CDP network emulation (default 400 kbps down and up,
400 ms round trip), a 390×844 viewport, Khmer UI, signed in as the demo nurse, against a real
Daphne (``collab.asgi``) on a data dir with the demo data and collected static files (made
on the first run: migrate + seed_demo + collectstatic take minutes; pass the same
``--data-dir`` to reuse it). For the home page, a chat room and a knowledge article, cold
(empty cache) then warm (same browser, second visit): bytes transferred over HTTP, requests,
static requests that went to the network, load time and, for the chat room, the time until
its messages are visible. Finally an English page: does it fetch the Khmer font?
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare(data_dir: Path) -> None:
    env = {**os.environ, "SAHAKAR_DATA_DIR": str(data_dir)}
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    if not (data_dir / "sahakar.sqlite3").exists():
        print("migrating and loading the demo data…", flush=True)
        run("migrate", "--noinput")
        run("seed_demo")
    if not (data_dir / "static" / "staticfiles.json").exists():
        print("collecting static files…", flush=True)
        run("collectstatic", "--noinput")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def session_cookie(data_dir: Path, username: str, language: str) -> str:
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "from django.contrib.auth import get_user_model\n"
        "from collab.accounts.middleware import SESSION_KEY\n"
        f"c = Client(); c.force_login(get_user_model().objects.get(username={username!r}))\n"
        f"s = c.session; s[SESSION_KEY] = {language!r}; s.save(); print(s.session_key)\n"
        "from realtime.chat.models import Room\n"
        f"print(Room.objects.filter(memberships__user__username={username!r}).order_by('pk').first().pk)\n"
        "from knowledge.models import ArticlePage\n"
        "print(ArticlePage.objects.live().filter(locale__language_code='km').first().url)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True,
        env={**os.environ, "SAHAKAR_DATA_DIR": str(data_dir),
             "DJANGO_SETTINGS_MODULE": "collab.settings"},
    ).stdout.split()
    return out[-3], out[-2], out[-1]


class Meter:
    """Counts what one navigation moves over the (emulated) network, through CDP."""

    def __init__(self, cdp):
        self.cdp = cdp
        self.reset()
        cdp.on("Network.requestWillBeSent", lambda e: self.requests.__setitem__(
            e["requestId"], e["request"]["url"]))
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", lambda e: self.sizes.__setitem__(
            e["requestId"], e["encodedDataLength"]))

    def reset(self):
        self.requests, self.sizes, self.cached = {}, {}, set()

    def _response(self, e):
        r = e["response"]
        if r.get("fromDiskCache") or r.get("fromMemoryCache") or r.get("fromPrefetchCache"):
            self.cached.add(e["requestId"])

    def summary(self) -> dict:
        network = [rid for rid in self.requests if rid not in self.cached]
        return {
            "bytes": sum(self.sizes.get(rid, 0) for rid in network),
            "requests": len(self.requests),
            "network": len(network),
            "static_network": sum(1 for rid in network if "/static/" in self.requests[rid]),
            "urls": [self.requests[rid] for rid in network],
        }


def visit(page, meter, url: str, wait_for: str | None) -> dict:
    meter.reset()
    started = time.perf_counter()
    page.goto(url, wait_until="load")
    loaded = time.perf_counter() - started
    visible = None
    if wait_for:
        page.wait_for_selector(wait_for, timeout=60_000)
        visible = time.perf_counter() - started
    page.wait_for_load_state("networkidle")
    return {**meter.summary(), "load": loaded, "visible": visible}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--kbps", type=int, default=400)
    parser.add_argument("--rtt", type=int, default=400)
    parser.add_argument("-v", "--verbose", action="store_true", help="list what travelled")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="sahakar-lowbw-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    prepare(data_dir.resolve())

    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SAHAKAR_DATA_DIR": str(data_dir)}
    daphne = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "collab.asgi:application"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        import urllib.request

        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        session, room, article = session_cookie(data_dir, "nurse", "km")
        pages = [("home", "/", None), ("chat room", f"/chat/rooms/{room}/", ".chat-msg"),
                 ("knowledge article", article, None)]
        throughput = args.kbps * 1000 / 8
        print(f"{args.kbps} kbps down/up, {args.rtt} ms RTT, nurse, Khmer, 390×844")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            for name, path, wait_for in pages:
                context = browser.new_context(viewport={"width": 390, "height": 844},
                                              locale="km-KH")
                context.add_cookies([
                    {"name": "sessionid", "value": session, "url": base},
                    {"name": "sahakar_language", "value": "km", "url": base},
                ])
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", {
                    "offline": False, "latency": args.rtt,
                    "downloadThroughput": throughput, "uploadThroughput": throughput,
                })
                meter = Meter(cdp)
                for visit_kind in ("cold", "warm"):
                    r = visit(page, meter, base + path, wait_for)
                    shown = f", messages visible {r['visible']:.2f} s" if r["visible"] else ""
                    print(f"{name:18} {visit_kind}: {r['bytes'] / 1024:6.1f} KB, "
                          f"{r['requests']} requests ({r['network']} over the network, "
                          f"{r['static_network']} static), load {r['load']:.2f} s{shown}")
                    if args.verbose:
                        print("   " + "\n   ".join(r["urls"]))
                context.close()
            # An English page: the Khmer web font must not travel (only the 3.5 KB subset that
            # draws the language switch's "ខ្មែរ").
            session_en = session_cookie(data_dir, "nurse", "en")[0]
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.add_cookies([{"name": "sessionid", "value": session_en, "url": base},
                                 {"name": "sahakar_language", "value": "en", "url": base}])
            page = context.new_page()
            fonts = []
            page.on("request", lambda r: r.url.endswith(".woff2") and fonts.append(r.url))
            page.goto(base + "/", wait_until="networkidle")
            page.goto(base + "/chat/", wait_until="networkidle")
            names = sorted({url.rsplit("/", 1)[1].split(".")[0] for url in fonts})
            print(f"English home + chat: {len(fonts)} font requests {names}")
            browser.close()
    finally:
        daphne.terminate()
        daphne.wait(timeout=10)


if __name__ == "__main__":
    main()
