import pytest

from tests.notifications.smtp import SMTPServer


@pytest.fixture
def smtp():
    with SMTPServer() as server:
        yield server
