import pytest

from tests.calls.janus_server import start_janus

JANUS_BACKEND = "tests.calls.janus_backend"


@pytest.fixture(scope="session")
def janus(live_data_dir):
    """One Janus for the session; Daphne servers preloaded with ``JANUS_BACKEND`` use it."""
    server = start_janus(live_data_dir / "janus")
    (live_data_dir / "janus-urls").write_text(server.url)
    yield server
    server.stop()


@pytest.fixture
def janus_daphne(janus, live_servers):
    """A real Daphne whose meetings go through ``janus`` (SAHAKAR_JANUS_URLS)."""
    (server,) = live_servers(preload=(JANUS_BACKEND,))
    if janus.process.poll() is not None:
        pytest.fail(f"Janus died:\n{janus.log()}")
    return server
