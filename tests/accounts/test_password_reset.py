"""Password reset by email: the same answer for known and unknown addresses, a link that
works once within the hour, limits per address and per client address."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from collab.accounts.models import AccountEvent
from collab.core import clock
from collab.notifications.delivery import deliver_due
from tests.accounts.conftest import log_in
from tests.directory.factories import person
from tests.notifications.smtp import Mailbox

pytestmark = pytest.mark.django_db
NEW = "Tonle-Sap-lake-77"


@pytest.fixture
def dara(django_user_model):
    user = django_user_model.objects.create_user("dara", password="Old-password-1", email="")
    person("Dara", "Sok", email="Dara.Sok@moh.gov.kh", user=user)
    return user


def _ask(client, email):
    return client.post("/accounts/password/reset/", {"email": email})


def _without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _link(message) -> str:
    url = re.search(r"http://\S+/accounts/password/reset/\S+/", Mailbox.text(message)).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_known_and_unknown_addresses_get_the_same_answer(dara, smtp):
    known = _ask(Client(), "dara.sok@moh.gov.kh")
    unknown = _ask(Client(), "nobody@moh.gov.kh")
    assert known.status_code == unknown.status_code == 200
    assert _without_tokens(known) == _without_tokens(unknown)
    assert b'id="reset-sent"' in known.content
    assert deliver_due() == 1
    [message] = smtp.mailbox.messages
    assert message["To"] == "Dara.Sok@moh.gov.kh"
    assert "Open this link within 1 hour" in Mailbox.text(message)
    assert "កំណត់ពាក្យសម្ងាត់" in message["Subject"]


def test_the_link_works_once_and_ends_the_other_sessions(dara, smtp):
    elsewhere = Client()
    assert log_in(elsewhere, "dara", "Old-password-1").status_code == 302
    assert elsewhere.get("/accounts/profile/").status_code == 200

    _ask(Client(), "dara.sok@moh.gov.kh")
    deliver_due()
    url = _link(smtp.mailbox.messages[0])
    browser = Client()
    assert browser.get(url).status_code == 200
    done = browser.post(url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert log_in(Client(), "dara", NEW).status_code == 302
    assert log_in(Client(), "dara", "Old-password-1").status_code == 200
    assert browser.post(url, {"new_password1": NEW, "new_password2": NEW}).status_code == 410
    assert elsewhere.get("/accounts/profile/").status_code == 302  # signed out
    kinds = list(AccountEvent.objects.filter(kind=AccountEvent.Kind.PASSWORD_RESET)
                 .values_list("reason", flat=True).order_by("pk"))
    assert kinds == ["requested", "password_reset link used"]


def test_the_link_dies_after_an_hour(dara, smtp):
    _ask(Client(), "dara.sok@moh.gov.kh")
    deliver_due()
    url = _link(smtp.mailbox.messages[0])
    clock.set_offset(timedelta(minutes=60, seconds=1).total_seconds())
    assert Client().get(url).status_code == 410


def test_requests_are_limited_per_address_and_per_client(dara, smtp, settings):
    settings.SAHAKAR_PASSWORD_RESET_RATE = (3, 5)
    client = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(3):
        assert _ask(client, "dara.sok@moh.gov.kh").status_code == 200
    limited = _ask(Client(REMOTE_ADDR="10.1.1.2"), "dara.sok@moh.gov.kh")
    assert limited.status_code == 429
    assert b'id="reset-limited"' in limited.content
    # The same limit for an address nobody has: the answer tells nothing.
    for _ in range(3):
        _ask(Client(REMOTE_ADDR="10.1.1.3"), "ghost@moh.gov.kh")
    assert _ask(Client(REMOTE_ADDR="10.1.1.4"), "ghost@moh.gov.kh").status_code == 429
    # Per client address: five requests an hour, whatever the addresses.
    for n in range(2):
        assert _ask(client, f"other{n}@moh.gov.kh").status_code == 200
    assert _ask(client, "yet-another@moh.gov.kh").status_code == 429
    deliver_due()
    assert len(smtp.mailbox.messages) == 1  # the newest link only: older ones were replaced
    clock.set_offset(3601)
    assert _ask(Client(REMOTE_ADDR="10.1.1.2"), "dara.sok@moh.gov.kh").status_code == 200
