"""SAHAKAR_PASSWORD_LOGIN=0 with single sign-on: the login page shows the provider's button
(and passkeys) but no password form; superusers reach the form through the small
"Administrator sign-in" link (?administrator=1), and only they get through it."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def passwords_off(settings, sso):
    settings.SAHAKAR_PASSWORD_LOGIN = False


def test_the_login_page_has_no_password_form(client, passwords_off):
    page = client.get("/accounts/login/?next=/chat/").content.decode()
    assert 'id="sso-login"' in page and 'id="passkey-sign-in"' in page
    assert 'name="password"' not in page and 'id="login-form"' not in page
    assert 'id="forgot-password"' not in page
    assert 'href="?next=/chat/&amp;administrator=1" id="administrator-sign-in"' in page


def test_the_administrator_link_shows_the_form_and_only_superusers_pass(
    client, passwords_off, django_user_model
):
    django_user_model.objects.create_user("clerk", password="clerk-pass-123")
    django_user_model.objects.create_superuser("root", password="root-pass-123")
    page = client.get("/accounts/login/?administrator=1").content.decode()
    assert 'name="password"' in page and 'action="/accounts/login/?administrator=1"' in page
    assert 'id="administrator-sign-in"' not in page and 'id="forgot-password"' not in page
    refused = client.post("/accounts/login/?administrator=1",
                          {"username": "clerk", "password": "clerk-pass-123"})  # fmt: skip
    assert refused.status_code == 200 and 'name="password"' in refused.content.decode()
    assert "_auth_user_id" not in client.session
    allowed = client.post("/accounts/login/?administrator=1",
                          {"username": "root", "password": "root-pass-123"})  # fmt: skip
    assert allowed.status_code == 302 and "_auth_user_id" in client.session


def test_with_passwords_on_the_form_shows_without_the_link(client, sso):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password"' in page and 'id="forgot-password"' in page
    assert 'id="administrator-sign-in"' not in page


def test_without_single_sign_on_the_form_stays(client, settings):
    settings.SAHAKAR_PASSWORD_LOGIN = False
    settings.SAHAKAR_OIDC_ISSUER = ""  # nothing else to offer: superusers need the form
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password"' in page and 'id="administrator-sign-in"' not in page
