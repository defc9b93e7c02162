"""The second factor: enrolment of an authenticator app with a code computed here, sign-in
with it or with a recovery code, and the gate in front of patient data and the admin sites
for the people who must use one."""

import re

import pytest
from django.test import Client

from collab.accounts import mfa
from collab.accounts.models import AccountEvent
from collab.accounts.services import create_token
from tests.accounts.conftest import PASSWORD, log_in
from tests.accounts.totp import totp
from tests.directory.factories import person, position, unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.SAHAKAR_MFA_ENFORCED = True


@pytest.fixture
def doctor(django_user_model):
    user = django_user_model.objects.create_user("keo", password=PASSWORD)
    position(unit("PRH"), tags="specialist:paediatrics", holder=person("Chanthou", "Keo",
                                                                       user=user))
    return user


def _enrol(client) -> tuple[str, list[str]]:
    page = client.get("/accounts/second-factor/setup/").content.decode()
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page).group(1)
    done = client.post("/accounts/second-factor/setup/?next=/health/referrals/",
                       {"code": totp(secret)})
    assert done.status_code == 201
    codes = re.findall(r"<code>(\w{4}-\w{4})</code>", done.content.decode())
    return secret, codes


def test_who_must_use_a_second_factor(doctor, django_user_model, settings):
    assert mfa.must_use_second_factor(doctor)
    clerk = django_user_model.objects.create_user("clerk", password=PASSWORD)
    position(unit("OFF"), tags="hr", holder=person("Sreyneang", "Pov", user=clerk))
    assert not mfa.must_use_second_factor(clerk)
    assert mfa.must_use_second_factor(django_user_model.objects.create_superuser("root"))
    settings.SAHAKAR_MFA_ENFORCED = False
    assert not mfa.must_use_second_factor(doctor)


def test_doctor_is_sent_to_enrol_and_kept_from_patient_data_until_then(doctor):
    client = Client()
    response = log_in(client, "keo")
    assert response.url == "/accounts/second-factor/setup/?next=%2F"
    assert client.get("/").status_code == 200  # the rest of the suite stays open
    for path in ("/health/referrals/", "/consultations/", "/admin/", "/cms/"):
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert blocked.url.startswith("/accounts/second-factor/setup/?next=")
    api = client.get("/api/v1/consultations/appointments")
    assert api.status_code == 403
    assert "second factor" in api.json()["detail"]

    setup = client.get("/accounts/second-factor/setup/")
    assert b'id="mfa-required"' in setup.content and b'src="data:image/svg+xml' in setup.content
    _secret, codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/health/referrals/").status_code == 200
    enrolled = AccountEvent.objects.get(kind=AccountEvent.Kind.MFA_ENROLLED)
    assert enrolled.username == "keo" and enrolled.method == "totp"


def test_sign_in_asks_for_the_code_after_the_password(doctor, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # else django-otp refuses a retry within a second
    secret, codes = _enrol(_signed_in("keo"))
    client = Client()
    response = log_in(client, "keo")
    assert response.url == "/accounts/second-factor/"
    assert client.get("/").status_code == 302  # not signed in before the code
    wrong = client.post("/accounts/second-factor/", {"code": "000000"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    right = client.post("/accounts/second-factor/", {"code": totp(secret, steps_ahead=1)})
    assert right.status_code == 302 and right.url == "/"
    assert client.session[mfa.SECOND_FACTOR] == "totp"
    assert client.get("/health/referrals/").status_code == 200

    rows = AccountEvent.objects.filter(kind=AccountEvent.Kind.LOGIN, username="keo")
    assert list(rows.filter(success=False).values_list("method", "reason")) == [
        ("totp", "wrong code")
    ]
    assert rows.filter(success=True, method="totp").count() == 1


def test_a_recovery_code_works_once(doctor):
    _secret, codes = _enrol(_signed_in("keo"))
    first = Client()
    log_in(first, "keo")
    assert first.post("/accounts/second-factor/", {"code": codes[0]}).status_code == 302
    assert first.session[mfa.SECOND_FACTOR] == "recovery_code"
    again = Client()
    log_in(again, "keo")
    assert again.post("/accounts/second-factor/", {"code": codes[0]}).status_code == 400
    assert mfa.recovery_codes_left(doctor) == 9


def test_too_many_wrong_codes_end_the_attempt(doctor, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the count of attempts, not django-otp's delay
    _enrol(_signed_in("keo"))
    client = Client()
    log_in(client, "keo")
    for _ in range(4):
        assert client.post("/accounts/second-factor/", {"code": "000000"}).status_code == 400
    last = client.post("/accounts/second-factor/", {"code": "000000"})
    assert last.status_code == 302 and last.url == "/accounts/login/"
    assert client.get("/accounts/second-factor/").status_code == 302


def test_api_tokens_keep_working_and_admin_password_forms_are_ours(doctor):
    token = create_token(user=doctor, name="script")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    api = Client().get("/api/v1/consultations/appointments", **bearer)
    assert api.status_code == 200
    admin_login = Client().get("/admin/login/")
    assert admin_login.status_code == 302
    assert admin_login.url == "/accounts/login/?next=%2Fadmin%2F"


def test_an_administrator_resets_the_second_factor(doctor, django_user_model):
    _enrol(_signed_in("keo"))
    root = django_user_model.objects.create_superuser("root", password=PASSWORD)
    admin = _signed_in("root")
    admin_secret, _codes = _enrol(admin)
    response = admin.post(
        "/admin/directory/person/",
        {"action": "reset_people_second_factor", "_selected_action": [doctor.person.pk]},
    )
    assert response.status_code == 302
    assert not mfa.has_second_factor(doctor) and mfa.recovery_codes_left(doctor) == 0
    reset = AccountEvent.objects.get(kind=AccountEvent.Kind.MFA_RESET, username="keo")
    assert reset.method == "admin" and reset.detail["by"] == root.username
    assert log_in(Client(), "keo").url == "/accounts/second-factor/setup/?next=%2F"


def _signed_in(username: str) -> Client:
    client = Client()
    assert log_in(client, username).status_code == 302
    return client
