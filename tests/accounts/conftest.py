import pytest

PASSWORD = "Correct-Horse-42"


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user("dara", password=PASSWORD, first_name="Dara")


def log_in(client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher takes ~0.3 s per login on this machine; these tests log in a lot.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
