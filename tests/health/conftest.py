import pytest

from tests.notifications.smtp import SMTPServer


@pytest.fixture(autouse=True)
def _private_clock(settings, tmp_path):
    """clock.set_offset writes into the data dir: keep ours away from everyone else's."""
    settings.DATA_DIR = tmp_path


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 30
        yield server
