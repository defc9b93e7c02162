"""The streams of many sockets' users, read in a fixed number of queries (a reconnect
storm's sockets share them: realtime.batching)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from realtime.chat.models import Membership, Room
from realtime.streams import streams_of_users

pytestmark = pytest.mark.django_db


def _users(n: int, prefix: str = "u") -> list:
    User = get_user_model()
    return [User.objects.create_user(f"{prefix}{i}", password="pw-123456!x") for i in range(n)]


def test_streams_of_many_users_in_one_query_per_provider():
    room = Room.objects.create(kind=Room.Kind.PUBLIC, name="ward")
    counts = []
    for size, prefix in ((3, "s"), (30, "l")):
        users = _users(size, prefix)
        Membership.objects.bulk_create([Membership(room=room, user=u) for u in users[1:]])
        with CaptureQueriesContext(connection) as queries:
            streams = streams_of_users([u.pk for u in users])
        assert streams[0] == set() and streams[1] == {f"chat.room.{room.pk}"}
        counts.append(len(queries))
    assert counts[0] == counts[1]
