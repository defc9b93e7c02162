import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from collab.directory.models import Person


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    # Rate-limit buckets and presence live in the (possibly shared Redis) cache.
    settings.SAHAKAR_CHAT_CACHE_NAMESPACE = f"chat-test-{uuid.uuid4().hex[:8]}"
    settings.SAHAKAR_CHAT_RATE_BURST = 1000  # the rate-limit tests lower it


_hashes: dict[str, str] = {}


@pytest.fixture
def make_user(db):
    User = get_user_model()

    def make(username: str, *, km: str = "", en: str = "", password: str = "pw-Sahakar-2025"):
        # Hashing once per password keeps tests fast; logins still verify it for real.
        if password not in _hashes:
            _hashes[password] = make_password(password)
        user = User.objects.create(username=username, password=_hashes[password])
        family, _, given = (en or username.title()).partition(" ")
        kfam, _, kgiven = km.partition(" ")
        Person.objects.create(
            user=user,
            employee_id=f"E-{username}",
            family_name_en=family,
            given_name_en=given,
            family_name_km=kfam,
            given_name_km=kgiven,
        )
        return user

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice", en="Chan Alice", km="ចាន់ អាលីស")


@pytest.fixture
def bob(make_user):
    return make_user("bob", en="Sok Bob", km="សុខ បូ")


@pytest.fixture
def carol(make_user):
    return make_user("carol", en="Keo Carol", km="កែវ ការ៉ុល")
