"""Signed-in devices on the profile page, and the account audit log (with its CSV export)."""

import csv
import io

import pytest
from django.conf import settings
from django.test import Client

from collab.accounts.models import AccountEvent, Profile, SessionRecord
from collab.accounts.services import create_token
from tests.accounts.conftest import PASSWORD, log_in

pytestmark = pytest.mark.django_db
PHONE = "Mozilla/5.0 (Linux; Android 14) Chrome/130 Mobile"
LAPTOP = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133"


def _device(agent: str, ip: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    assert log_in(client, "dara").status_code == 302
    return client


def test_profile_lists_the_signed_in_devices_and_ends_one_or_all_others(member):
    phone, laptop = _device(PHONE, "10.0.0.5"), _device(LAPTOP, "10.0.0.6")
    third = _device(LAPTOP, "10.0.0.7")
    page = phone.get("/accounts/profile/").content.decode()
    for text in ("Chrome · Android", "Firefox · Linux", "10.0.0.5", "10.0.0.6", "10.0.0.7",
                 "This device"):
        assert text in page
    laptop_row = SessionRecord.objects.get(ip="10.0.0.6")
    ended = phone.post(f"/accounts/sessions/{laptop_row.pk}/end/")
    assert ended.status_code == 302
    assert laptop.get("/accounts/profile/").status_code == 302  # signed out
    assert third.get("/accounts/profile/").status_code == 200

    phone.post("/accounts/sessions/end-others/")
    assert third.get("/accounts/profile/").status_code == 302
    assert phone.get("/accounts/profile/").status_code == 200
    assert list(SessionRecord.objects.values_list("ip", flat=True)) == ["10.0.0.5"]


def test_nobody_ends_someone_elses_session(member, django_user_model):
    django_user_model.objects.create_user("sokha", password=PASSWORD)
    dara = _device(PHONE, "10.0.0.5")
    sokha = Client()
    log_in(sokha, "sokha")
    sokha.get("/accounts/profile/")
    theirs = SessionRecord.objects.get(user__username="sokha")
    dara.post(f"/accounts/sessions/{theirs.pk}/end/")
    assert sokha.get("/accounts/profile/").status_code == 200


def test_tokens_are_listed_and_revoking_is_audited(member):
    create_token(user=member, name="reporting script")
    client = _device(PHONE, "10.0.0.5")
    page = client.get("/accounts/profile/").content.decode()
    assert "reporting script" in page
    token = member.personal_tokens.get()
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    event = AccountEvent.objects.get(kind=AccountEvent.Kind.TOKEN_REVOKED)
    assert event.detail["token"] == "reporting script" and event.username == "dara"


def test_sign_ins_and_sign_outs_are_audited_with_reasons(member, django_user_model):
    log_in(Client(REMOTE_ADDR="10.0.0.8"), "dara", "wrong")
    log_in(Client(), "nobody", "wrong")
    django_user_model.objects.create_user("gone", password=PASSWORD, is_active=False)
    log_in(Client(), "gone")
    client = _device(PHONE, "10.0.0.5")
    client.post("/accounts/logout/")
    attacker = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        log_in(attacker, "dara", "wrong")

    rows = list(AccountEvent.objects.order_by("pk").values_list(
        "kind", "username", "method", "success", "reason"
    ))  # fmt: skip
    assert rows[:5] == [
        ("login", "dara", "password", False, "wrong password"),
        ("login", "nobody", "password", False, "unknown user"),
        ("login", "gone", "password", False, "inactive"),
        ("login", "dara", "password", True, ""),
        ("logout", "dara", "", True, ""),
    ]
    assert ("login", "dara", "password", False, "locked out") in rows[5:]
    success = AccountEvent.objects.get(kind="login", success=True)
    assert success.ip == "10.0.0.5" and success.user_agent == PHONE


def test_admins_export_the_audit_log_as_csv(member, django_user_model):
    log_in(Client(), "dara", "wrong")
    log_in(Client(), "dara")
    root = django_user_model.objects.create_superuser("root", password=PASSWORD)
    admin = Client()
    admin.force_login(root)
    ids = list(AccountEvent.objects.values_list("pk", flat=True))
    response = admin.post("/admin/accounts/accountevent/",
                          {"action": "export_csv", "_selected_action": ids})  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["username"], r["success"], r["reason"]) for r in rows] == [
        ("dara", "no", "wrong password"), ("dara", "yes", ""),
    ]
    nosy = Client()
    log_in(nosy, "dara")
    assert nosy.get("/admin/accounts/accountevent/").status_code == 302  # not staff


def test_a_language_chosen_on_the_login_page_wins_and_is_saved(member):
    Profile.objects.create(user=member, language="en")
    device = Client()
    device.get("/accounts/login/")
    device.post("/i18n/setlang/", {"language": "km", "next": "/accounts/login/"})
    log_in(device, "dara")
    assert 'lang="km"' in device.get("/").content.decode()
    assert Profile.objects.get(user=member).language == "km"

    later = Client()  # another device, no choice made: the profile's (now Khmer) language
    later.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    log_in(later, "dara")
    assert 'lang="km"' in later.get("/").content.decode()
