import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from django.contrib.auth.models import Group
from django.db import connections

import tests.realtime.live_hooks  # noqa: F401  (registers the test stream provider here too)

HOOKS = ("tests.realtime.live_hooks",)


@pytest.fixture
def make_user(django_user_model):
    counter = iter(range(1, 10_000))

    def make(username: str | None = None, *, groups: tuple[Group, ...] = ()):
        user = django_user_model.objects.create_user(
            username or f"user{next(counter)}", password="pw-not-used-123"
        )
        user.groups.add(*groups)
        return user

    return make


@pytest.fixture
def amake_user(make_user):
    return sync_to_async(make_user)


@pytest.fixture
def agroup():
    async def make(name: str) -> Group:
        return await sync_to_async(Group.objects.create)(name=name)

    return make


@pytest.fixture(autouse=True)
def _close_async_thread_connections():
    """ORM calls from async tests run in asgiref's one executor thread; close its
    connections so PostgreSQL can flush and drop the test database."""
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
