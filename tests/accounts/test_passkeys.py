"""Passkeys through the real endpoints and py_webauthn's checks, answered by a software
authenticator (tests/accounts/authenticator.py): add, sign in without a password, the second
step after a password, removal, and every refusal with its audit entry."""

from base64 import b32encode

import pytest

from collab.accounts import mfa
from collab.accounts.models import AccountEvent, Passkey
from tests.accounts.authenticator import UP, SoftPasskey, b64
from tests.accounts.conftest import PASSWORD, log_in
from tests.accounts.totp import totp

pytestmark = pytest.mark.django_db
ADD_OPTIONS, ADD = "/accounts/passkeys/add/options/", "/accounts/passkeys/add/"
SIGN_IN_OPTIONS, SIGN_IN = "/accounts/passkeys/sign-in/options/", "/accounts/passkeys/sign-in/"


def add(client, soft: SoftPasskey, name: str = "my phone", **answer):
    options = client.post(ADD_OPTIONS).json()
    body = {"name": name, "credential": soft.create(options, **answer)}
    return client.post(ADD, body, content_type="application/json")


def sign_in(client, soft: SoftPasskey, next_url: str = "", **answer):
    options = client.post(SIGN_IN_OPTIONS).json()
    body = {**soft.get(options, **answer), "next": next_url}
    return client.post(SIGN_IN, body, content_type="application/json")


def failures() -> list[str]:
    rows = AccountEvent.objects.filter(kind="login", method="passkey", success=False)
    return [row.reason for row in rows.order_by("pk")]


@pytest.fixture
def soft():
    return SoftPasskey()


@pytest.fixture
def enrolled(client, member, soft):
    client.force_login(member)
    assert add(client, soft).status_code == 201
    client.logout()
    return soft


def test_add_a_passkey(client, member, soft):
    client.force_login(member)
    options = client.post(ADD_OPTIONS).json()
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["rp"]["id"] == "testserver" and options["excludeCredentials"] == []
    body = {"name": "  Nurse   station  ", "credential": soft.create(options)}
    response = client.post(ADD, body, content_type="application/json")
    assert response.status_code == 201 and response.json()["redirect"].endswith("#passkeys")
    passkey = Passkey.objects.get(user=member)
    assert passkey.name == "Nurse station" and bytes(passkey.credential_id) == soft.credential_id
    assert passkey.transports == ["internal"]
    event = AccountEvent.objects.get(kind="mfa_enrolled")
    assert event.method == "passkey" and event.user == member and event.success
    assert client.session[mfa.SECOND_FACTOR] == "passkey"
    assert "Nurse station" in client.get("/accounts/profile/").content.decode()
    again = client.post(ADD_OPTIONS).json()  # the browser is told not to make a second one
    assert [c["id"] for c in again["excludeCredentials"]] == [b64(soft.credential_id)]


def test_a_registration_is_refused_when_its_answer_is_wrong(client, member, soft):
    client.force_login(member)
    assert add(client, soft, origin="http://evil.example").status_code == 400
    assert add(client, soft, flags=UP).status_code == 400  # no user verification
    answer = soft.create(client.post(ADD_OPTIONS).json())
    first = client.post(ADD, {"credential": answer}, content_type="application/json")
    replay = client.post(ADD, {"credential": answer}, content_type="application/json")
    assert first.status_code == 201 and replay.status_code == 400  # challenge used up
    refused = AccountEvent.objects.filter(kind="mfa_enrolled", success=False)
    assert refused.count() == 3 and Passkey.objects.count() == 1
    assert Passkey.objects.get().name == "Passkey"  # no name given


def test_sign_in_with_a_passkey_and_no_password(client, member, enrolled):
    response = sign_in(client, enrolled, next_url="/accounts/profile/")
    assert response.status_code == 200 and response.json() == {"redirect": "/accounts/profile/"}
    assert int(client.session["_auth_user_id"]) == member.pk
    assert client.session[mfa.SECOND_FACTOR] == "passkey"  # user verification: two factors
    event = AccountEvent.objects.get(kind="login", success=True)
    assert event.method == "passkey" and event.user == member
    passkey = Passkey.objects.get()
    assert passkey.sign_count == enrolled.count and passkey.last_used is not None


def test_an_outside_next_address_is_not_followed(client, enrolled):
    response = sign_in(client, enrolled, next_url="https://evil.example/")
    assert response.json()["redirect"] == "/"


def test_sign_in_refusals(client, member, enrolled, django_user_model):
    assert sign_in(client, enrolled, origin="http://evil.example").status_code == 403
    assert sign_in(client, enrolled, flags=UP).status_code == 403
    stranger = SoftPasskey()
    assert sign_in(client, stranger).status_code == 403
    answer = enrolled.get(client.post(SIGN_IN_OPTIONS).json())
    assert client.post(SIGN_IN, answer, content_type="application/json").status_code == 200
    client.logout()
    replay = client.post(SIGN_IN, answer, content_type="application/json")
    assert replay.status_code == 403  # no ceremony under way in this session
    client.post(SIGN_IN_OPTIONS)
    stale = client.post(SIGN_IN, answer, content_type="application/json")  # old challenge
    assert stale.status_code == 403 and "_auth_user_id" not in client.session
    member.is_active = False
    member.save()
    assert sign_in(client, enrolled).status_code == 403
    reasons = failures()
    assert reasons[2:4] == ["unknown passkey", "no sign-in under way"]
    assert reasons[0].startswith("signature refused") and reasons[-1] == "inactive"
    assert len(reasons) == 6


def test_a_passkey_is_the_second_step_after_a_password(client, member, enrolled):
    assert mfa.has_second_factor(member)
    response = log_in(client, "dara")
    assert response.status_code == 302 and response.url == "/accounts/second-factor/"
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert 'id="passkey-sign-in"' in page and 'id="second-factor-form"' not in page
    finished = sign_in(client, enrolled)
    assert finished.status_code == 200 and int(client.session["_auth_user_id"]) == member.pk
    event = AccountEvent.objects.get(kind="login", method="passkey")
    assert event.detail["first_factor"] == "password"


def test_only_the_waiting_accounts_passkey_finishes_its_sign_in(client, member, enrolled,
                                                                django_user_model):  # fmt: skip
    other = django_user_model.objects.create_user("vanna", password=PASSWORD)
    theirs = SoftPasskey()
    client.force_login(other)
    add(client, theirs)
    client.logout()
    log_in(client, "dara")
    options = client.post(SIGN_IN_OPTIONS).json()
    assert [c["id"] for c in options["allowCredentials"]] == [b64(enrolled.credential_id)]
    answer = theirs.get(options)
    refused = client.post(SIGN_IN, answer, content_type="application/json")
    assert refused.status_code == 403 and "_auth_user_id" not in client.session
    assert failures() == ["passkey of another account"]


def test_adding_one_to_an_account_with_a_second_factor_needs_it_passed(client, member, soft):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=member, name="authenticator", confirmed=True)
    client.force_login(member)  # a session that did not pass the authenticator app
    assert client.post(ADD_OPTIONS).status_code == 403
    secret = b32encode(device.bin_key).decode()
    client.post("/accounts/second-factor/", {"code": totp(secret)})
    assert add(client, soft).status_code == 201


def test_remove_a_passkey(client, member, enrolled, django_user_model):
    sign_in(client, enrolled)
    passkey = Passkey.objects.get()
    other = django_user_model.objects.create_user("vanna", password=PASSWORD)
    theirs = Passkey.objects.create(user=other, name="x", credential_id=b"theirs",
                                    public_key=b"-", created_at=passkey.created_at)  # fmt: skip
    assert client.post(f"/accounts/passkeys/{theirs.pk}/remove/").status_code == 302
    assert Passkey.objects.filter(pk=theirs.pk).exists()  # not one's own: nothing happens
    response = client.post(f"/accounts/passkeys/{passkey.pk}/remove/")
    assert response.url == "/accounts/profile/#passkeys"
    assert not Passkey.objects.filter(user=member).exists()
    event = AccountEvent.objects.get(kind="mfa_reset")
    assert event.method == "passkey" and event.detail["passkey"] == "my phone"
    assert sign_in(client, enrolled).status_code == 403


def test_removal_needs_a_session_that_passed_a_second_factor(client, member, enrolled):
    client.force_login(member)
    passkey = Passkey.objects.get()
    response = client.post(f"/accounts/passkeys/{passkey.pk}/remove/")
    assert response.url.startswith("/accounts/second-factor/")
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_an_administrators_reset_removes_passkeys_too(member, enrolled, django_user_model):
    from collab.accounts.services import reset_second_factor

    admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
    reset_second_factor(user=member)  # the person's own reset keeps their passkeys
    assert Passkey.objects.filter(user=member).exists()
    reset_second_factor(user=member, by=admin)
    assert not Passkey.objects.filter(user=member).exists()
