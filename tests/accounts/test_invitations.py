"""Invitations: the command and the admin action queue a bilingual email in the
notification outbox; the worker's pass sends it to a real SMTP server; the link in it
chooses a password once, within 7 days, and only the newest link works."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client

from collab.accounts.models import AccountEvent, OneTimeLink
from collab.core import clock
from collab.notifications.delivery import deliver_due
from collab.notifications.emails import message_id
from collab.notifications.models import Delivery
from tests.accounts.conftest import log_in
from tests.directory.factories import person, position, unit
from tests.notifications.smtp import Mailbox

pytestmark = pytest.mark.django_db
GOOD = "Mekong-river-2026"


@pytest.fixture
def org():
    hospital = unit("HOSP")
    ward = unit("WARD", parent=hospital)
    sophea = person("Sophea", "Chan", email="sophea.chan@moh.gov.kh")
    dara = person("Dara", "Sok", email="dara.sok@moh.gov.kh")
    nobody = person("Vuthy", "Khiev", email="")  # no address: cannot be invited
    gone = person("Bopha", "Seang", email="bopha@moh.gov.kh", active=False)
    position(hospital, holder=sophea)
    position(ward, holder=dara)
    position(ward, holder=nobody)
    position(hospital, holder=gone)
    return {"sophea": sophea, "dara": dara}


def _link_in(message) -> str:
    return re.search(r"http://\S+/accounts/invitation/(\S+)/", Mailbox.text(message)).group(0)


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_command_queues_invitations_that_the_worker_sends_once_in_khmer_and_english(
    org, smtp, django_user_model
):
    call_command("invite", "--unit", "HOSP", "--subunits", "--people-without-login")
    assert deliver_due() == 2
    assert deliver_due() == 0  # nothing sent twice
    messages = smtp.mailbox.messages
    assert sorted(m["To"] for m in messages) == ["dara.sok@moh.gov.kh", "sophea.chan@moh.gov.kh"]
    for message in messages:
        delivery = Delivery.objects.get(user__email=message["To"], channel="account_email")
        assert message["Message-ID"] == message_id(delivery.idempotency_key)
        assert "ជ្រើសរើសពាក្យសម្ងាត់" in message["Subject"]  # Khmer first
        assert "choose your password" in message["Subject"]
        body = Mailbox.text(message)
        assert "Open this link within 7 days" in body
        assert "សួស្តី" in body and "Hello" in body
        assert f"{message['To']}" in body  # the username is the work address
    dara = django_user_model.objects.get(username="dara.sok@moh.gov.kh")
    assert not dara.has_usable_password()
    assert org["dara"].__class__.objects.get(pk=org["dara"].pk).user == dara
    events = AccountEvent.objects.filter(kind=AccountEvent.Kind.INVITED)
    assert sorted(events.values_list("username", flat=True)) == [
        "dara.sok@moh.gov.kh", "sophea.chan@moh.gov.kh",
    ]


def test_unit_without_subunits_and_dry_run(org, capsys):
    call_command("invite", "--unit", "HOSP", "--dry-run")
    out = capsys.readouterr().out
    assert "Chan Sophea" in out and "Sok Dara" not in out
    assert "1 people would be invited" in out
    assert not OneTimeLink.objects.exists() and not Delivery.objects.exists()


def test_the_link_chooses_a_password_once_with_the_password_rules(org, smtp):
    call_command("invite", "--unit", "WARD")
    deliver_due()
    [message] = smtp.mailbox.messages
    url = _path(_link_in(message))
    browser = Client()
    page = browser.get(url)
    assert page.status_code == 200
    assert "dara.sok@moh.gov.kh" in page.content.decode()

    for weak, problem in (
        ("short-1", "too short"),
        ("password123", "too common"),
        ("dara.sok.moh", "too similar"),
    ):
        refused = browser.post(url, {"new_password1": weak, "new_password2": weak})
        assert refused.status_code == 400
        assert problem in refused.content.decode()

    chosen = browser.post(url, {"new_password1": GOOD, "new_password2": GOOD})
    assert chosen.status_code == 302 and chosen.url == "/accounts/login/"
    assert log_in(Client(), "dara.sok@moh.gov.kh", GOOD).status_code == 302
    used = browser.get(url)
    assert used.status_code == 410
    assert browser.post(url, {"new_password1": GOOD, "new_password2": GOOD}).status_code == 410


def test_password_rules_speak_khmer(org, smtp):
    call_command("invite", "--unit", "WARD")
    deliver_due()
    url = _path(_link_in(smtp.mailbox.messages[0]))
    browser = Client()
    browser.cookies["sahakar_language"] = "km"
    refused = browser.post(url, {"new_password1": "short-1", "new_password2": "short-1"})
    assert "ពាក្យសម្ងាត់នេះខ្លីពេក" in refused.content.decode()


def test_a_new_invitation_kills_the_old_link_and_links_expire_after_7_days(org, smtp):
    call_command("invite", "--unit", "WARD")
    call_command("invite", "--unit", "WARD")
    deliver_due()
    # The first email was still in the outbox when the second invitation replaced it.
    [message] = smtp.mailbox.messages
    newest = _path(_link_in(message))
    first = OneTimeLink.objects.order_by("pk").first()
    assert first.revoked_at is not None
    assert Client().get(newest).status_code == 200

    clock.set_offset(timedelta(days=7, seconds=1).total_seconds())
    assert Client().get(newest).status_code == 410


def test_a_forged_or_mangled_token_is_refused(org, smtp):
    call_command("invite", "--unit", "WARD")
    link = OneTimeLink.objects.get()
    assert Client().get(f"/accounts/invitation/{link.pk}-{'0' * 40}/").status_code == 410
    assert Client().get("/accounts/invitation/nonsense/").status_code == 410


def test_admin_action_invites_the_selected_people(org, smtp, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 12)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/directory/person/",
        {"action": "invite_people", "_selected_action": [org["sophea"].pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 invitation queued" in response.content.decode()
    deliver_due()
    assert [m["To"] for m in smtp.mailbox.messages] == ["sophea.chan@moh.gov.kh"]
    event = AccountEvent.objects.get(kind=AccountEvent.Kind.INVITED)
    assert event.method == AccountEvent.Method.ADMIN and event.detail["by"] == "root"
