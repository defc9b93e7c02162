import pytest
from django.conf import settings
from django.test import Client

from collab.accounts.models import Profile
from tests.accounts.conftest import PASSWORD, log_in

pytestmark = pytest.mark.django_db

KHMER_CHAT = "ជជែក"
NEW = "N3w-secret-xyz"


def test_login_page_uses_our_form_and_redirects_home_on_success(client, member):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b'id="login-form"' in page.content

    response = log_in(client, "dara")
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_keeps_the_username_and_names_the_problem(client, member):
    response = log_in(client, "dara", "not-it")
    assert response.status_code == 200
    assert b"Wrong username or password" in response.content
    assert b'value="dara"' in response.content


def test_logout_needs_post(client, member):
    log_in(client, "dara")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_language_switch_while_logged_in_is_saved_and_applied_at_next_login(member):
    browser_a = Client()
    log_in(browser_a, "dara")
    response = browser_a.post("/i18n/setlang/", {"language": "km", "next": "/"})
    assert response.status_code == 302
    assert Profile.objects.get(user=member).language == "km"

    browser_b = Client()  # another device: no language cookie, English by default
    assert "lang=\"en\"" in browser_b.get("/accounts/login/").content.decode()
    log_in(browser_b, "dara")
    home = browser_b.get("/").content.decode()
    assert 'lang="km"' in home
    assert KHMER_CHAT in home
    assert browser_b.cookies[settings.LANGUAGE_COOKIE_NAME].value == "km"


def test_profile_language_wins_over_the_cookie_of_the_device(member):
    Profile.objects.create(user=member, language="km")
    device = Client()
    device.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    log_in(device, "dara")
    assert 'lang="km"' in device.get("/").content.decode()


def test_first_login_keeps_the_language_chosen_before_it(member):
    device = Client()
    device.post("/i18n/setlang/", {"language": "km", "next": "/accounts/login/"})
    assert not Profile.objects.filter(user=member).exists()  # anonymous: cookie only
    log_in(device, "dara")
    assert Profile.objects.get(user=member).language == "km"


def test_profile_language_form_saves_and_refuses_an_unknown_language(client, member):
    log_in(client, "dara")
    bad = client.post("/accounts/profile/language/", {"language": "fr"})
    assert bad.status_code == 400
    assert b"Select a valid choice" in bad.content
    assert not Profile.objects.filter(user=member, language="fr").exists()

    good = client.post("/accounts/profile/language/", {"language": "km"}, follow=True)
    assert Profile.objects.get(user=member).language == "km"
    assert 'lang="km"' in good.content.decode()


def test_password_change_checks_the_current_password(client, member):
    log_in(client, "dara")
    wrong = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": NEW, "new_password2": NEW},
    )
    assert wrong.status_code == 200
    assert b"Your current password is not right" in wrong.content
    member.refresh_from_db()
    assert member.check_password(PASSWORD)

    mismatch = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": "other-1"},
    )
    assert b"The two new passwords are not the same" in mismatch.content

    ok = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert ok.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW)
    assert client.get("/").status_code == 200  # still logged in after the change
