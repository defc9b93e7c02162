"""Browser fixtures: Playwright's sync API driving Debian's Chromium.

Mark every test that uses them ``@pytest.mark.browser`` (the fixtures refuse an unmarked
test, so that ``-m "not browser"`` really leaves the browser out). When ``chromium`` is not
on PATH the test is skipped, or fails when ``tests.conftest.services_required()`` (CI).

Fixtures (all function-scoped)
------------------------------
``browser``
    A headless Chromium (``--no-sandbox --disable-gpu --disable-quic ...``).
``browser_factory``
    ``browser_factory(fake_media=False, extra_args=()) -> Browser``; ``fake_media=True`` adds
    ``--use-fake-ui-for-media-stream --use-fake-device-for-media-stream`` (camera and
    microphone granted without a prompt, fed by Chromium's test pattern). Every browser it
    made is closed after the test.
``page``
    A fresh page of ``browser`` in its own context (English UI, phone-sized viewport is up
    to the test). ``page.console_entries`` lists every console message and page error seen
    so far as ``ConsoleEntry(kind, text)``; ``csp_violations(page)`` filters them.

Helpers
-------
``login(page, base_url, username, password)``
    Logs in through the real login form and waits for the redirect; works against
    pytest-django's ``live_server.url`` and against the Daphne server of
    ``tests/support/live.py`` (pages that need websockets must use the latter).
``login_with_session(context, base_url, user)``
    Skips the form: creates a session in the test database for ``user`` (like
    ``Client.force_login``) and puts its cookie into the browser context.
``outside_browser_loop(func, *args, **kwargs)``
    Runs ``func`` in a short-lived thread and returns its result. Needed for code that
    uses ``async_to_sync`` (e.g. ``realtime.services.publish``, whose push runs on commit)
    while Playwright is alive, since asgiref refuses it in a thread with a running loop.

Users that log in through the form must have passwords hashed by a hasher the server knows:
a test folder that switches to a fast test-only hasher must keep the default for these.

Why the sync API is wrapped like this: while a sync Playwright is alive, it marks the test
thread as running an asyncio loop between calls. Django then refuses ORM calls from the test
body (SynchronousOnlyOperation) and a later pytest-asyncio test could not start its loop.
So Playwright lives exactly as long as one test: it is stopped in teardown (which clears the
marker), and during the test ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set so that the test body may
still use the ORM synchronously (it really is synchronous; only the marker says otherwise).
The server side runs in its own thread (live_server) or process (Daphne), never in the
Playwright loop.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
FAKE_MEDIA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@dataclass(frozen=True)
class ConsoleEntry:
    kind: str  # console type ("error", "warning", "log", ...) or "pageerror"
    text: str


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def csp_violations(page) -> list[ConsoleEntry]:
    """Console entries in which Chromium reports a Content-Security-Policy violation."""
    pattern = re.compile(r"content security policy", re.IGNORECASE)
    return [e for e in page.console_entries if pattern.search(e.text)]


def login(page, base_url: str, username: str, password: str) -> None:
    """Log in through the login form; raises if the form comes back (bad credentials)."""
    page.goto(f"{base_url.rstrip('/')}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form#login-form [type=submit]")
    if "/accounts/login/" in page.url:
        raise AssertionError(f"login as {username!r} failed: still on {page.url}")


def login_with_session(context, base_url: str, user) -> None:
    """Put a session cookie for ``user`` (created in the test database) into ``context``."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def join_meeting(browser, base_url: str, user, meeting, *, errors: list | None = None, **options):
    """A signed-in English page of ``browser`` that has joined ``meeting``'s call.
    ``options`` go to ``new_context``; page errors are appended to ``errors`` when given."""
    from django.conf import settings

    context = browser.new_context(locale="en-US", **options)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])
    context.set_default_timeout(30_000)
    login_with_session(context, base_url, user)
    page = context.new_page()
    if errors is not None:
        page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{base_url}/meetings/{meeting.pk}/")
    page.wait_for_selector("#call[data-state=ready]")
    page.click("[data-action=join]")
    page.wait_for_selector("#call[data-state=in_call]")
    return page


def outside_browser_loop(func: Callable, *args, **kwargs):
    from django.db import connections

    result: dict = {}

    def run() -> None:
        try:
            result["value"] = func(*args, **kwargs)
        except BaseException as exc:  # re-raised in the test's thread
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="outside-browser-loop")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def _require_browser_marker(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("browser") is None:
        pytest.fail(f"{request.node.nodeid} uses a browser fixture: mark it @pytest.mark.browser")


def _chromium_or_skip() -> str:
    from tests.conftest import skip_or_fail_when_missing

    path = chromium_path()
    if path:
        return path
    skip_or_fail_when_missing("Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture
def _playwright(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    _require_browser_marker(request)
    executable = _chromium_or_skip()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - installed with the test extra
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    manager = sync_playwright()
    playwright = manager.start()
    playwright.sahakar_executable = executable
    try:
        yield playwright
    finally:
        manager.__exit__()


@pytest.fixture
def browser_factory(_playwright) -> Iterator[Callable]:
    launched = []

    def launch(*, fake_media: bool = False, extra_args: tuple[str, ...] = ()):
        args = CHROMIUM_ARGS + (FAKE_MEDIA_ARGS if fake_media else []) + list(extra_args)
        browser = _playwright.chromium.launch(
            executable_path=_playwright.sahakar_executable, headless=True, args=args
        )
        launched.append(browser)
        return browser

    yield launch
    for browser in launched:
        browser.close()


@pytest.fixture
def browser(browser_factory):
    return browser_factory()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(10_000)  # fail fast: local pages answer in well under that
    page = context.new_page()
    entries: list[ConsoleEntry] = []
    page.console_entries = entries
    page.on("console", lambda msg: entries.append(ConsoleEntry(msg.type, msg.text)))
    page.on("pageerror", lambda err: entries.append(ConsoleEntry("pageerror", str(err))))
    yield page
    context.close()
