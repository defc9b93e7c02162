import pytest
from django.conf import settings
from django.test import Client

from tests.accounts.conftest import PASSWORD, log_in

pytestmark = pytest.mark.django_db


def test_lockout_after_the_failure_limit_refuses_even_the_right_password(client, member):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "dara", "wrong").status_code == 200
    locked = log_in(client, "dara", "wrong")
    assert locked.status_code == 429
    assert b'id="locked-out"' in locked.content
    assert b"Too many failed logins" in locked.content
    assert b"15 minutes" in locked.content

    again = log_in(client, "dara", PASSWORD)
    assert again.status_code == 429
    assert client.get("/").status_code == 302  # not logged in


def test_lockout_message_is_translated(client, member):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = log_in(client, "dara", "wrong")
    assert response.status_code == 429
    assert "ការចូលបរាជ័យច្រើនដងពេក" in response.content.decode()  # "Too many failed logins"
    assert "Too many failed logins" not in response.content.decode()


def test_lockout_is_per_username_and_address(member, django_user_model):
    django_user_model.objects.create_user("sokha", password=PASSWORD)
    attacker = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(attacker, "dara", "wrong")
    assert log_in(attacker, "dara", PASSWORD).status_code == 429
    # Another account from the same address, and the same account from elsewhere, still work.
    assert log_in(Client(REMOTE_ADDR="10.0.0.9"), "sokha").status_code == 302
    assert log_in(Client(REMOTE_ADDR="10.0.0.10"), "dara").status_code == 302
