"""Chromium walks the whole single sign-on: the login page's button, the provider's form,
back to the home page in the person's language with the socket open; then the person signs
out at the provider and the page's socket is closed by the back-channel logout."""

import pytest

from .helpers import person

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_sign_in_with_the_provider_and_out_again(sso_server, browser):
    server, provider = sso_server
    person("E850", languages="km")
    provider.add_account("chenda", sub="sub-850", claims={"employee_id": "E850"})
    context = browser.new_context(locale="en-GB")
    page = context.new_page()

    page.goto(f"{server.url}/accounts/login/")
    page.click("#sso-login")  # "Sign in with Test Provider", above the password form
    page.fill('input[name="login"]', "chenda")
    page.click('button[type="submit"]')
    page.wait_for_url(f"{server.url}/")

    assert page.locator("html").get_attribute("lang") == "km"  # the person's language
    page.wait_for_function("() => window.Sahakar && window.Sahakar.stream.state === 'open'")

    at_provider = context.new_page()  # the same browser, another tab
    at_provider.goto(f"{provider.issuer}/session/end")
    at_provider.click('button[name="logout"]')
    at_provider.wait_for_selector("#signed-out")

    page.wait_for_function("() => window.Sahakar.stream.state === 'unauthorized'", timeout=5000)
    page.reload()
    assert "/accounts/login/" in page.url
    context.close()
