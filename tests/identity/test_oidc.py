"""Single sign-on against a real OpenID provider (oidc-provider run by Node)."""

import pytest
from django.contrib.auth import get_user_model

from collab.accounts.models import AccountEvent
from collab.identity.models import ExternalIdentity
from collab.identity.views import ID_TOKEN_KEY, SECOND_FACTOR_KEY

from .helpers import RP, person, query, sso_sign_in, start

pytestmark = pytest.mark.django_db
User = get_user_model()


def sso_events(**filters):
    return AccountEvent.objects.filter(kind="login", method="sso", **filters)


def test_first_sign_in_links_the_directory_person_and_creates_the_login(client, sso):
    dara = person("E100", email="dara@moh.gov.kh")
    sso.add_account("dara", sub="sub-dara", claims={"employee_id": "E100",
                    "email": "other@idp.example", "email_verified": True})  # fmt: skip

    response = sso_sign_in(client, sso, "dara", next_url="/directory/")

    assert response.status_code == 302 and response["Location"] == "/directory/"
    dara.refresh_from_db()
    user = dara.user
    assert user is not None and user.username == "e100" and not user.has_usable_password()
    # The directory is the source of truth for name and email.
    assert (user.first_name, user.last_name, user.email) == ("Dara E100", "Sok",
                                                             "dara@moh.gov.kh")  # fmt: skip
    identity = ExternalIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (sso.issuer, "sub-dara")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session[ID_TOKEN_KEY]
    assert SECOND_FACTOR_KEY not in client.session  # amr was only "pwd"
    assert sso_events(user=user, success=True).count() == 1
    assert user.profile.language == "km"  # from the directory person


def test_later_sign_ins_reuse_the_login_and_follow_the_directory(client, sso):
    dara = person("E101", email="old@moh.gov.kh")
    sso.add_account("dara101", sub="sub-101", claims={"employee_id": "E101"})
    sso_sign_in(client, sso, "dara101")
    client.logout()
    dara.refresh_from_db()
    dara.email = "new@moh.gov.kh"
    dara.save()

    response = sso_sign_in(client, sso, "dara101")

    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.filter(person__employee_id="E101").count() == 1
    assert ExternalIdentity.objects.count() == 1
    assert User.objects.get(pk=dara.user_id).email == "new@moh.gov.kh"


def test_an_existing_login_of_the_person_is_linked(client, sso, django_user_model):
    nurse = django_user_model.objects.create_user("nurse", password="x-1234-y")
    p = person("E102")
    p.user = nurse
    p.save()
    sso.add_account("nurse102", sub="sub-102", claims={"employee_id": "E102"})

    assert sso_sign_in(client, sso, "nurse102").status_code == 302
    assert ExternalIdentity.objects.get().user == nurse
    assert int(client.session["_auth_user_id"]) == nurse.pk


def test_a_verified_email_is_the_fallback(client, sso):
    p = person("E103", email="mealea@moh.gov.kh")
    sso.add_account("mealea", sub="sub-103",
                    claims={"email": "Mealea@moh.gov.kh", "email_verified": True})  # fmt: skip
    assert sso_sign_in(client, sso, "mealea").status_code == 302
    p.refresh_from_db()
    assert p.user is not None


def test_an_unverified_email_links_nobody(client, sso):
    person("E104", email="vanna@moh.gov.kh")
    sso.add_account("vanna", sub="sub-104",
                    claims={"email": "vanna@moh.gov.kh", "email_verified": False})  # fmt: skip
    response = sso_sign_in(client, sso, "vanna")
    assert response.status_code == 403
    assert not ExternalIdentity.objects.exists()


def test_nobody_in_the_directory_gets_a_clear_page_in_both_languages(client, sso):
    person("E105", active=False)
    sso.add_account("gone", sub="sub-105", claims={"employee_id": "E105"})
    users_before = User.objects.count()

    response = sso_sign_in(client, sso, "gone")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Your account is not in the directory yet — contact your HR officer." in page
    assert "គណនី" in page and 'lang="km"' in page  # the Khmer text too
    assert User.objects.count() == users_before and not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session
    event = sso_events(success=False).get()
    assert (event.reason, event.username) == ("not_in_directory", "E105")


def test_two_identities_never_reach_one_login(client, sso):
    person("E106")
    sso.add_account("first", sub="sub-106-a", claims={"employee_id": "E106"})
    sso.add_account("second", sub="sub-106-b", claims={"employee_id": "E106"})
    assert sso_sign_in(client, sso, "first").status_code == 302
    client.logout()

    response = sso_sign_in(client, sso, "second")

    assert response.status_code == 403
    assert ExternalIdentity.objects.get().subject == "sub-106-a"
    assert sso_events(success=False).get().reason == "identity_conflict"


def test_one_identity_never_reaches_two_logins(client, sso):
    """The linked identity keeps its login even if the claim later names someone else."""
    first = person("E107")
    person("E108")
    sso.add_account("moves", sub="sub-107", claims={"employee_id": "E107"})
    sso_sign_in(client, sso, "moves")
    client.logout()
    sso.add_account("moves", sub="sub-107", claims={"employee_id": "E108"})

    assert sso_sign_in(client, sso, "moves").status_code == 302
    first.refresh_from_db()
    assert int(client.session["_auth_user_id"]) == first.user_id
    assert ExternalIdentity.objects.count() == 1 and User.objects.count() == 1


def test_a_second_factor_at_the_provider_is_passed_on(client, sso):
    person("E109")
    sso.add_account("strong", sub="sub-109", claims={"employee_id": "E109"},
                    amr=["pwd", "otp", "mfa"])  # fmt: skip
    sso_sign_in(client, sso, "strong")
    assert client.session[SECOND_FACTOR_KEY] == "sso"


def test_a_tampered_state_is_refused(client, sso):
    person("E110")
    sso.add_account("tamper", sub="sub-110", claims={"employee_id": "E110"})
    back = sso.browser().sign_in(start(client), "tamper")
    params = query(back)

    response = client.get("/identity/oidc/callback/",
                          {"code": params["code"], "state": params["state"] + "x"})  # fmt: skip

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert sso_events(success=False).get().reason == "state"


def test_a_replayed_code_is_refused(client, sso):
    person("E111")
    sso.add_account("replay", sub="sub-111", claims={"employee_id": "E111"})
    back = sso.browser().sign_in(start(client), "replay")
    assert client.get(back[len(RP):]).status_code == 302
    client.logout()

    # The same callback again: its state was used up.
    assert client.get(back[len(RP):]).status_code == 400
    # The same code with a fresh, valid state: the provider refuses to redeem it twice.
    fresh_state = query(start(client))["state"]
    response = client.get("/identity/oidc/callback/",
                          {"code": query(back)["code"], "state": fresh_state})  # fmt: skip

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    reasons = list(sso_events(success=False).order_by("pk").values_list("reason", flat=True))
    assert reasons == ["state", "provider_invalid_grant"]


def test_the_authorization_request_uses_pkce_state_and_nonce(client, sso):
    params = query(start(client))
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert params["state"] and params["nonce"] and params["response_type"] == "code"


def test_the_login_page_offers_the_provider_first(client, sso, settings):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Test Provider" in page
    assert page.index("Sign in with Test Provider") < page.index('name="password"')
    settings.SAHAKAR_OIDC_ISSUER = ""
    assert 'id="sso-login"' not in client.get("/accounts/login/").content.decode()


def test_without_sso_its_pages_do_not_exist(client, settings):
    settings.SAHAKAR_OIDC_ISSUER = ""
    assert client.get("/identity/oidc/login/").status_code == 404


def test_passwords_can_be_switched_off_for_all_but_superusers(client, settings,
                                                              django_user_model):  # fmt: skip
    django_user_model.objects.create_user("clerk", password="clerk-pass-123")
    django_user_model.objects.create_superuser("root", password="root-pass-123")
    settings.SAHAKAR_PASSWORD_LOGIN = False
    refused = client.post("/accounts/login/", {"username": "clerk", "password": "clerk-pass-123"})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    allowed = client.post("/accounts/login/", {"username": "root", "password": "root-pass-123"})
    assert allowed.status_code == 302
