"""ID tokens no real provider would issue are refused with a clear page and an audit row.

The tokens come from a provider these tests control (see rogue.py); the happy path and
the other refusals run against the real provider (test_oidc.py)."""

import time

import pytest

from collab.accounts.models import AccountEvent
from collab.identity.models import ExternalIdentity
from tests.support.oidc import CLIENT_ID

from .conftest import configure
from .helpers import person, query, start
from .rogue import RogueProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def rogue(settings):
    provider = RogueProvider()
    configure(settings, provider.issuer)
    yield provider
    provider.stop()


def callback_with(client, rogue, make_token):
    params = query(start(client))
    rogue.id_token = make_token(rogue.claims(nonce=params["nonce"], aud=CLIENT_ID))
    return client.get("/identity/oidc/callback/", {"code": "c0de", "state": params["state"]})


def assert_refused(client, response, reason: str) -> None:
    assert response.status_code == 400
    assert b"The sign-in was stopped" in response.content
    assert "_auth_user_id" not in client.session
    assert not ExternalIdentity.objects.exists()
    event = AccountEvent.objects.get(kind="login", method="sso")
    assert (event.success, event.reason) == (False, reason)


def test_a_good_token_from_this_provider_signs_in(client, rogue):
    """The control: the refusals below are about the token, not the setup."""
    person("E900")
    response = callback_with(client, rogue, rogue.sign)
    assert response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"nonce": "not-the-nonce-we-sent"}, "claim_nonce"),
        ({"aud": "another-client"}, "claim_aud"),
        ({"aud": ["another-client"], "azp": "sahakar"}, "claim_aud"),
        ({"iss": "https://idp.invalid"}, "claim_iss"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
    ],
    ids=["wrong-nonce", "wrong-aud", "wrong-aud-our-azp", "wrong-iss", "expired"],
)
def test_a_token_with_a_wrong_claim_is_refused(client, rogue, change, reason):
    person("E900")
    response = callback_with(client, rogue, lambda claims: rogue.sign({**claims, **change}))
    assert_refused(client, response, reason)


def test_an_unsigned_token_alg_none_is_refused(client, rogue):
    person("E900")
    assert_refused(client, callback_with(client, rogue, rogue.unsigned), "algorithm")


def test_a_token_signed_by_an_unknown_key_is_refused(client, rogue):
    person("E900")
    response = callback_with(client, rogue, lambda c: rogue.sign(c, key=rogue.other_key))
    assert_refused(client, response, "unknown_key")
