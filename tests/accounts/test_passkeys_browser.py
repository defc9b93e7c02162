"""Passkeys in Debian's Chromium with a virtual authenticator (CDP ``WebAuthn``: internal
transport, resident keys, user verification), against real Daphne, in Khmer: a nurse adds a
passkey on the profile page, signs in with it and no password, removes it, and the removed
passkey no longer signs in. Every step leaves its audit entry."""

import re

import pytest

from collab.accounts.models import AccountEvent, Passkey, Profile
from tests.accounts.conftest import PASSWORD
from tests.support.browser import csp_violations, login_with_session

pytestmark = [pytest.mark.browser, pytest.mark.live]
KHMER = re.compile("[\u1780-\u17ff]")


def _authenticator(page) -> tuple:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }})  # fmt: skip
    return cdp, added["authenticatorId"]


def _events(user, kind: str) -> list[AccountEvent]:
    return list(AccountEvent.objects.filter(user=user, kind=kind, method="passkey"))


def test_add_a_passkey_sign_in_with_it_and_remove_it(daphne_server, browser, django_user_model,
                                                     settings):  # fmt: skip
    base = f"http://localhost:{daphne_server.port}"  # a passkey needs a domain, not an IP
    user = django_user_model.objects.create_user("sophea", password=PASSWORD)
    Profile.objects.create(user=user, language="km")
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(30_000)
    language = {"name": settings.LANGUAGE_COOKIE_NAME, "value": "km", "url": base}
    context.add_cookies([language])
    login_with_session(context, base, user)
    page = context.new_page()
    page.console_entries = []
    page.on("console", lambda m: page.console_entries.append(m))
    cdp, authenticator = _authenticator(page)

    page.goto(f"{base}/accounts/profile/")
    assert KHMER.search(page.inner_text("#passkeys h2"))
    page.fill("#passkey-name", "ទូរស័ព្ទរបស់ខ្ញុំ")
    page.click("#passkey-add")
    page.wait_for_selector("#passkeys .passkeys li, [data-passkey-error]:not([hidden])")
    console = [m.text for m in page.console_entries]
    assert page.is_hidden("[data-passkey-error]"), (page.inner_text("#passkeys"), console)
    assert "ទូរស័ព្ទរបស់ខ្ញុំ" in page.inner_text("#passkeys .passkeys")
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert [c["isResidentCredential"] for c in stored["credentials"]] == [True]
    assert Passkey.objects.get(user=user).name == "ទូរស័ព្ទរបស់ខ្ញុំ"
    assert len(_events(user, AccountEvent.Kind.MFA_ENROLLED)) == 1

    context.clear_cookies()  # signed out; the passkey stays in the authenticator
    context.add_cookies([language])
    page.goto(f"{base}/accounts/login/")
    assert KHMER.search(page.inner_text("#passkey-sign-in"))
    page.click("#passkey-sign-in")  # no username, no password: the browser offers the key
    page.wait_for_url(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "km"
    [signed_in] = _events(user, AccountEvent.Kind.LOGIN)
    assert signed_in.success and signed_in.detail["first_factor"] == ""
    assert Passkey.objects.get(user=user).last_used is not None

    page.goto(f"{base}/accounts/profile/#passkeys")
    page.click("#passkeys .passkeys button.danger")  # the passkey passed: no step up asked
    page.wait_for_selector("#passkeys .empty")
    assert not Passkey.objects.filter(user=user).exists()
    assert len(_events(user, AccountEvent.Kind.MFA_RESET)) == 1

    context.clear_cookies()
    context.add_cookies([language])
    page.goto(f"{base}/accounts/login/")
    page.click("#passkey-sign-in")
    error = page.wait_for_selector("[data-passkey-error]:not([hidden])")
    assert KHMER.search(error.inner_text())
    refused = AccountEvent.objects.filter(kind="login", method="passkey", success=False).get()
    assert refused.reason == "unknown passkey"
    assert "/accounts/login/" in page.url
    assert csp_violations(page) == []
    context.close()
