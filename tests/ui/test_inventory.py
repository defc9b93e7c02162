"""The checks that look: every HTML page a role can reach (tests/ui/inventory.py), as each
demo role and the patient, in Khmer and English, at 360×640 and 1280×800, in Chromium
against a real Daphne:

* no horizontal overflow (``scrollWidth <= innerWidth``), no console error, no failed request;
* axe-core: no serious or critical violation (waivers per page below, each with its reason);
* a computed contrast check over visible controls (axe leaves text whose colour equals its
  background "incomplete"; this does not);
* Khmer pages: no run of Latin letters outside the allow-list (``latin_scan``).

Full-page screenshots (one per page and language, by the first role that sees it) land in
``var/screenshots/`` (ignored by git) on each run.
The crawl runs once per session; the two tests read its findings.
"""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import axe_playwright_python
import pytest
from django.conf import settings
from django.core.management import call_command

from tests.support.browser import outside_browser_loop

from . import inventory, latin_scan

pytestmark = [pytest.mark.browser, pytest.mark.live]

VIEWPORTS = ((360, 640), (1280, 800))
LANGUAGES = ("km", "en")
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
CHECKS_JS = (Path(__file__).parent / "page_checks.js").read_text()
AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
IMPACTS = ("serious", "critical")
AXE_RUN = """() => axe.run(document, {
  resultTypes: ["violations"],
  runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
})"""
# What a page shows once it is ready, where its content comes after the load event.
READY = {
    "chat:room": ".chat-msg",
    "calls:meeting": "#call[data-state=ready]",
    "consultations:call": "#call[data-state=ready]",
    "consultations:visit": "#call[data-state=ready]",
}
RUN_CHECKS = (
    f"() => {{ const c = {CHECKS_JS}; return {{ overflow: c.overflow(), contrast: c.contrast(), "
    "glyphs: c.glyphs(), texts: c.texts() }; }"
)

# (route name, "*" or an admin's prefix "cms:*"/"admin:*", what) -> why it does not apply
# there. "what" is an axe rule, or "console:", "contrast:" followed by a part of the finding.
WAIVERS: dict[tuple[str, str], str] = {
    ("cms:edit", 'console:Language with code "en" was not found'): "Wagtail's TableBlock "
    "asks Handsontable for a language it does not register",
    ("cms:edit", "label"): "Handsontable's hidden copy-paste textarea (#HandsontableCopyPaste)",
    ("cms:edit", "aria-input-field-name"): "Draftail's empty rich-text fields name themselves "
    "by their placeholder (aria-describedby), not a label: Wagtail's editor",
    ("cms:edit", "scrollable-region-focusable"): "Wagtail's minimap list scrolls without focus; "
    "each of its items is a focusable link",
    ("cms:*", "contrast:a.sidebar-wagtail-branding"): "Wagtail's logo on its sidebar (2.87:1), "
    "an image link also named by its text",
    ("cms:*", "contrast:label.w-sr-only"): "a visually hidden label: nothing to see",
    ("admin:*", "contrast:button.theme-toggle"): "Django's theme toggle is an icon (3:1 "
    "applies, it has 4.22:1); its name is visually hidden text",
    ("admin:changelist", "target-size"): "Django's filter sidebar sets its links in 13 px "
    "lines (Django's stylesheet)",
    ("admin:*", "link-in-text-block"): "Django's breadcrumbs tell links by colour alone "
    "(Django's stylesheet)",
    ("cms:add_subpage", "target-size"): "Wagtail's small 'Pages using …' links beside each "
    "page type (Wagtail's template)",
}
# Route name -> Latin words allowed on that Khmer page, with the reason.
_UNNAMED = {"Otp", "Static", "Totp", "TOTP", "devices", "Axes", "Taggit", "Tasks", "Database",
            "Backend", "Task", "Results", "Review", "reminders"}
_UNNAMED_WHY = ("apps and models named without gettext (django-otp, django-axes, django-taggit, "
                "django-tasks; knowledge's ReviewReminder has no verbose_name: reported)")
LATIN_WAIVERS: dict[str, tuple[set[str], str]] = {
    "cms:*": ({"Actions"}, "Wagtail's header hard-codes its buttons' aria-label 'Actions'"),
    "admin:index": (_UNNAMED, _UNNAMED_WHY),
    "admin:changelist": (
        _UNNAMED | {"Search", "of", "selected"},
        _UNNAMED_WHY + "; Django's search form hard-codes the icon's alt text 'Search'; its "
        "script rewrites the selection counter from Django's script catalogue, which has no "
        "Khmer for it",
    ),
}


def _waived(name: str, what: str) -> bool:
    prefix = name.split(":")[0] + ":*"
    return any(
        (page in (name, "*", prefix)) and (what == rule or (":" in rule and rule in what))
        for page, rule in WAIVERS
    )

_crawl: dict = {}


def _session_cookie(user, language: str) -> str:
    from django.test import Client

    from collab.accounts.middleware import SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = language
    session.save()
    return session.session_key


def _patient_token() -> str:
    from django.contrib.auth import get_user_model

    from collab.consultations import services
    from collab.consultations.models import Appointment

    doctor = get_user_model().objects.get(username="doctor")
    return services.issue_link(appointment=Appointment.objects.first(), by=doctor)[1]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "root"


def _check_page(page, *, label: str, shot: str | None, lang: str) -> dict:
    """The checks of one loaded page at both viewports. The first visit of a page in a
    language (``shot`` set) also runs axe and takes the screenshots: the other roles' copies
    of a page share its markup, and axe is the slow part of the crawl."""
    found = {"overflow": [], "contrast": [], "glyphs": [], "axe": [], "texts": []}
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => setTimeout(r)))")
        checks = page.evaluate(RUN_CHECKS)
        if checks["overflow"]["scrollWidth"] > checks["overflow"]["innerWidth"]:
            found["overflow"].append(f"{width}px: scrollWidth {checks['overflow']['scrollWidth']} "
                                     f"{checks['overflow']['offenders']}")
        found["contrast"] += [f"{width}px: {c}" for c in checks["contrast"]]
        found["glyphs"] += [f"{width}px: {c}" for c in checks["glyphs"]]
        if shot and width == VIEWPORTS[0][0]:  # the same DOM at both sizes: axe once
            page.evaluate(AXE_JS)  # only where it runs: compiling it costs a few 100 ms
            results = page.evaluate(AXE_RUN)
            for v in results["violations"]:
                if v["impact"] in IMPACTS:
                    targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
                    found["axe"].append((v["id"], f"{v['id']} ({v['impact']}) {targets}"))
        if lang == "km" and width == VIEWPORTS[0][0]:
            found["texts"] = checks["texts"]
        if shot:
            page.screenshot(path=str(SHOTS / f"{shot}-{width}.png"), full_page=True)
    return found


def _log_failed_request(request, log) -> None:
    # ERR_ABORTED is a request cancelled by its page: the crawl moving on while a favicon or a
    # background check is still loading, or a fetch the page aborts itself. Not a defect; a
    # missing file answers 404 and is caught by the "response" listener.
    if request.failure != "net::ERR_ABORTED":
        log(f"failed: {request.url} {request.failure}")


def _crawl_all(base_url: str, browser) -> dict:
    from django.contrib.auth import get_user_model

    SHOTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=inventory.ROLES)}
    tree = inventory.page_tree_urls()
    visits = []  # (role, lang, [(name, path)])
    for role in inventory.ROLES:
        # The page tree's pages are the same for every role: once, as the nurse (runtime).
        urls = inventory.route_urls(users[role]) + (tree if role == "nurse" else [])
        urls += inventory.admin_urls(role)
        for lang in LANGUAGES:
            visits.append((role, lang, urls))
    # Someone not signed in: the login page and the public certificate check.
    for lang in LANGUAGES:
        visits.append(("anonymous", lang, [("accounts:login", "/accounts/login/"),
                                           ("training:verify_form", "/learning/verify/")]))
    token = outside_browser_loop(_patient_token)
    report = {"pages": [], "problems": {"status": [], "console": [], "requests": [], "overflow": [],
                                        "axe": [], "contrast": [], "glyphs": []},
              "khmer_texts": []}
    shot_taken: set[tuple] = set()
    for role, lang, urls in visits + [("patient", lang, None) for lang in LANGUAGES]:
        context = browser.new_context(locale="km-KH" if lang == "km" else "en-US")
        context.set_default_timeout(30_000)
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": base_url}]
        )
        page = context.new_page()
        events: list[str] = []
        log = events.append
        page.on("console", lambda m, log=log: m.type == "error" and log(f"console {m.text}"))
        page.on("pageerror", lambda e, log=log: log(f"pageerror: {e}"))
        page.on("requestfailed", lambda r, log=log: _log_failed_request(r, log))
        page.on("response", lambda r, log=log: r.status >= 400 and log(f"{r.status} {r.url}"))
        if role == "patient":
            if lang == "en":
                token = outside_browser_loop(_patient_token)
            page.goto(f"{base_url}/consultations/join/{token}/")
            urls = [("consultations:visit", "/consultations/visit/")]
        elif role != "anonymous":
            cookie = outside_browser_loop(_session_cookie, users[role], lang)
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
            )
        seen_paths = set()
        for name, path in urls:
            if path in seen_paths:
                continue
            seen_paths.add(path)
            events.clear()
            page_started = time.monotonic()
            page.set_viewport_size({"width": VIEWPORTS[0][0], "height": VIEWPORTS[0][1]})
            response = page.goto(base_url + path)
            where = f"{role}/{lang} {path}"
            html = response and "text/html" in (response.headers.get("content-type") or "")
            moved = page.url.rstrip("/") != (base_url + path).rstrip("/")
            if not response or response.status != 200 or not html or moved:
                skipped = f"{response and response.status} {page.url}"
                report["pages"].append({"where": where, "skipped": skipped})
                continue
            if name in READY:
                page.wait_for_selector(READY[name])
            page.evaluate("() => document.fonts.ready.then(() => true)")
            # Every visit is checked; one screenshot and one axe run per page and language.
            shot = None if (name, lang, path) in shot_taken else f"{lang}-{role}-{_slug(path)}"
            shot_taken.add((name, lang, path))
            found = _check_page(page, label=where, shot=shot, lang=lang)
            seconds = round(time.monotonic() - page_started, 1)
            report["pages"].append({"where": where, "name": name, "seconds": seconds})
            for event in events:
                key = "console" if event.startswith(("console", "pageerror")) else "requests"
                if not _waived(name, f"{key}:{event.removeprefix('console ')}"):
                    report["problems"][key].append(f"{where}: {event}")
            report["problems"]["overflow"] += [f"{where}: {o}" for o in found["overflow"]]
            report["problems"]["contrast"] += [
                f"{where}: {c}" for c in found["contrast"]
                if not _waived(name, "contrast:" + c.split(": ", 1)[1])
            ]
            report["problems"]["glyphs"] += [f"{where}: {c}" for c in found["glyphs"]]
            for rule, text in found["axe"]:
                if not _waived(name, rule):
                    report["problems"]["axe"].append(f"{where}: {text}")
            if lang == "km":
                report["khmer_texts"] += [
                    {"page": where, "name": name, "element": t["where"], "text": t["text"]}
                    for t in found["texts"]
                ]
        context.close()
    report["content_words"] = sorted(latin_scan.content_words())  # before the flush
    report["seconds"] = round(time.monotonic() - started, 1)
    (SHOTS / "inventory.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    return report


@pytest.fixture
def crawl(daphne_server, browser_factory, transactional_db):
    if not _crawl:
        # Both publish realtime events on commit: not from Playwright's thread.
        outside_browser_loop(call_command, "seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
        outside_browser_loop(inventory.extra_records)
        browser = browser_factory(fake_media=True)
        _crawl.update(_crawl_all(daphne_server.url, browser))
    return _crawl


def test_every_route_is_in_the_inventory(django_user_model, db):
    """A route that is neither sampled nor named as no page fails here, at once."""
    user = django_user_model.objects.create_user("someone")
    assert inventory.route_urls(user)  # raises, naming the routes, when one is unknown


def test_every_page_every_role_both_languages_both_sizes(crawl):
    checked = [p for p in crawl["pages"] if "skipped" not in p]
    roles = {p["where"].split("/")[0] for p in checked}
    assert roles == {*inventory.ROLES, "patient", "anonymous"}, roles
    problems = {k: v for k, v in crawl["problems"].items() if v}
    report = "\n".join(f"== {k} ({len(v)})\n" + "\n".join(v[:40]) for k, v in problems.items())
    assert not problems, f"{len(checked)} pages checked in {crawl['seconds']} s\n{report}"


def test_khmer_pages_show_no_untranslated_text(crawl):
    waived = {name: words for name, (words, _why) in LATIN_WAIVERS.items()}
    findings = latin_scan.untranslated(crawl["khmer_texts"], set(crawl["content_words"]), waived)
    lines = [f"{w!r}: {', '.join(sorted(places)[:3])}" for w, places in sorted(findings.items())]
    assert not findings, f"{len(findings)} Latin words on Khmer pages:\n" + "\n".join(lines[:80])
