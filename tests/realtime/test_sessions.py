"""The socket handshake's session check (realtime.sessions): the answers of
django.contrib.auth.get_user, for many sockets in a fixed number of queries."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from realtime.chat.models import Membership, Room
from realtime.sessions import users_for_sessions
from realtime.streams import streams_of_users

pytestmark = pytest.mark.django_db


def _signed_in(user) -> str:
    client = Client()
    client.force_login(user)
    return client.session.session_key


def _users(n: int, prefix: str = "u") -> list:
    User = get_user_model()
    return [User.objects.create_user(f"{prefix}{i}", password="pw-123456!x") for i in range(n)]


def test_each_session_gets_the_user_get_user_would_give():
    dara, sok, gone, changed = _users(4)
    keys = {name: _signed_in(u) for name, u in zip(("dara", "sok", "gone", "changed"),
                                                    (dara, sok, gone, changed), strict=True)}
    gone.is_active = False
    gone.save()
    changed.set_password("another-Secret-9")  # signs out every session of the old hash
    changed.save()
    answers = users_for_sessions(
        [keys["dara"], "short", keys["gone"], "x" * 32, keys["changed"], keys["sok"],
         keys["dara"]]
    )
    assert [u.username if u.is_authenticated else None for u in answers] == [
        "u0", None, None, None, None, "u1", "u0"
    ]


def test_session_reads_do_not_grow_with_the_number_of_sockets(settings):
    # The database engine (no cache in front): the worst case, sessions read from the table.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    few = [_signed_in(u) for u in _users(3, "few")]
    many = [_signed_in(u) for u in _users(30, "many")]
    counts = []
    for keys in (few, many):
        with CaptureQueriesContext(connection) as queries:
            answers = users_for_sessions(keys)
        assert all(u.is_authenticated for u in answers)
        counts.append(len(queries))
    assert counts[0] == counts[1] == 2  # sessions, users (with their people)


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
