import json

import pytest

from collab.identity import oidc
from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, start_provider

from .live_sso import CONFIG_FILE

PRELOAD = ("tests.identity.live_sso",)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """One real provider for the in-process tests (Django's test client is testserver)."""
    provider = start_provider(tmp_path_factory.mktemp("oidc"), ["http://testserver"])
    yield provider
    provider.stop()


def configure(settings, issuer: str) -> None:
    settings.SAHAKAR_OIDC_ISSUER = issuer
    settings.SAHAKAR_OIDC_CLIENT_ID = CLIENT_ID
    settings.SAHAKAR_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.SAHAKAR_OIDC_SCOPES = "openid email profile employee"
    settings.SAHAKAR_OIDC_PROVIDER_NAME = "Test Provider"
    oidc._clients.clear()


@pytest.fixture
def sso(settings, oidc_provider):
    configure(settings, oidc_provider.issuer)
    yield oidc_provider
    oidc._clients.clear()


@pytest.fixture
def sso_server(live_servers, live_data_dir, tmp_path):
    """A live Daphne server using a real provider of its own (see live_sso.py)."""
    server = live_servers(preload=PRELOAD)[0]
    provider = start_provider(tmp_path, [server.url])
    (live_data_dir / CONFIG_FILE).write_text(json.dumps({
        "SAHAKAR_OIDC_ISSUER": provider.issuer, "SAHAKAR_OIDC_CLIENT_ID": CLIENT_ID,
        "SAHAKAR_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "SAHAKAR_OIDC_SCOPES": "openid email profile employee",
        "SAHAKAR_OIDC_PROVIDER_NAME": "Test Provider",
    }))  # fmt: skip
    yield server, provider
    (live_data_dir / CONFIG_FILE).unlink()
    provider.stop()
