"""The account pages in Debian's Chromium, phone and desktop, Khmer and English: an
invitation is accepted, a reset asked for, a doctor enrols an authenticator app with a code
computed here and sees the recovery codes, the profile lists the devices. Screenshots go to
``SAHAKAR_SCREENSHOTS`` when it is set (to look at them)."""

import os
import re
from pathlib import Path

import pytest

from collab.accounts.models import OneTimeLink, Profile
from collab.accounts.services import link_url
from tests.accounts.conftest import PASSWORD
from tests.accounts.totp import totp
from tests.directory.factories import person, position, unit
from tests.support.browser import csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"phone": {"width": 360, "height": 640}, "desktop": {"width": 1280, "height": 800}}
KHMER = re.compile("[\u1780-\u17ff]")


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.SAHAKAR_MFA_ENFORCED = True


def _shoot(page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    if folder := os.environ.get("SAHAKAR_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.mark.parametrize("language", ["km", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_account_pages(browser, live_server, django_user_model, language, size, settings):
    settings.SAHAKAR_BASE_URL = live_server.url
    ward = unit("PRH")
    user = django_user_model.objects.create_user("keo", password=PASSWORD)
    Profile.objects.create(user=user, language=language)
    position(ward, tags="specialist:paediatrics",
             holder=person("Chanthou", "Keo", user=user, email="keo@moh.gov.kh"))
    newcomer = person("Sreymom", "Pech", email="sreymom.pech@moh.gov.kh")
    position(ward, tags="nurse", holder=newcomer)
    from collab.accounts.services import invite

    link = invite(person=newcomer)

    context = browser.new_context(viewport=SIZES[size], locale="en-US")
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                          "url": live_server.url}])  # fmt: skip
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.console_entries = []
    page.on("console", lambda m: page.console_entries.append(m))
    tag = f"{language}-{size}"

    def check(name: str) -> None:
        body = page.inner_text("main")
        assert bool(KHMER.search(body)) == (language == "km"), (name, body[:200])
        _shoot(page, f"{name}-{tag}")

    page.goto(link_url(link))
    assert page.inner_text("#username") == "sreymom.pech@moh.gov.kh"
    check("invitation")
    page.fill("input[name=new_password1]", "short-1")
    page.fill("input[name=new_password2]", "short-1")
    page.click("#choose-password-form [type=submit]")
    page.wait_for_selector(".errorlist")
    check("invitation-refused")
    page.fill("input[name=new_password1]", "Mekong-river-2026")
    page.fill("input[name=new_password2]", "Mekong-river-2026")
    page.click("#choose-password-form [type=submit]")
    page.wait_for_selector("#login-form")
    check("login")
    page.goto(link_url(OneTimeLink.objects.get(pk=link.pk)))
    check("link-dead")

    page.goto(f"{live_server.url}/accounts/password/reset/")
    check("reset")
    page.fill("input[name=email]", "nobody@moh.gov.kh")
    page.click("#password-reset-form [type=submit]")
    page.wait_for_selector("#reset-sent")
    check("reset-sent")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "keo")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_selector("#mfa-setup-form")
    check("enrol")
    secret = page.inner_text("#totp-secret")
    page.fill("input[name=code]", totp(secret))
    page.click("#mfa-setup-form [type=submit]")
    page.wait_for_selector("#recovery-codes")
    assert len(page.query_selector_all(".recovery-codes li")) == 10
    check("recovery-codes")
    page.goto(f"{live_server.url}/accounts/second-factor/setup/")
    check("second-factor-enrolled")
    page.goto(f"{live_server.url}/accounts/profile/")
    assert page.query_selector("#devices li.current")
    check("profile")

    second = browser.new_context(viewport=SIZES[size], locale="en-US")
    second.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                         "url": live_server.url}])  # fmt: skip
    other = second.new_page()
    other.console_entries = []
    other.on("console", lambda m: other.console_entries.append(m))
    other.goto(f"{live_server.url}/accounts/login/")
    other.fill("input[name=username]", "keo")
    other.fill("input[name=password]", PASSWORD)
    other.click("#login-form [type=submit]")
    other.wait_for_selector("#second-factor-form")
    first, page = page, other
    check("second-factor")
    assert not csp_violations(first) and not csp_violations(other)
