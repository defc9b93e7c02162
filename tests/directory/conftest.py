import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing with the real hasher costs ~0.5 s per user on a busy 2-core machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
