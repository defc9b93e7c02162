"""The /ws/ protocol against a real Daphne subprocess with real websocket clients."""


import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from websockets.exceptions import InvalidStatus

from collab.accounts.services import create_token
from realtime.models import Event
from realtime.services import publish
from tests.realtime.conftest import HOOKS
from tests.realtime.live_hooks import STREAM_PREFIX
from tests.support.live import ws_connect

pytestmark = [pytest.mark.live]


def _publish(**kwargs) -> int:
    with transaction.atomic():
        return publish(type="test.event", payload=kwargs.pop("payload", {}), **kwargs).seq


apublish = sync_to_async(_publish)


async def collect(ws, count: int) -> list[dict]:
    return [await ws.recv_json(timeout=20) for _ in range(count)]


async def test_handshake_auth_and_origin(daphne_server, amake_user):
    user = await amake_user("ana")

    anonymous = await ws_connect(daphne_server)
    assert await anonymous.wait_closed() == 4401

    bad_token = await ws_connect(daphne_server, token="sk_not-a-token")
    assert await bad_token.wait_closed() == 4401

    for origin in ("http://evil.example", None):
        with pytest.raises(InvalidStatus) as refused:
            await ws_connect(daphne_server, user, origin=origin)
        assert refused.value.response.status_code == 403
    token = await sync_to_async(create_token)(user=user, name="cli")
    with pytest.raises(InvalidStatus):
        await ws_connect(daphne_server, token=token, origin="http://evil.example")

    async with await ws_connect(daphne_server, user) as by_cookie:
        hello = await by_cookie.recv_json()
        assert (hello["type"], hello["user"]["username"], hello["seq"]) == ("hello", "ana", 0)

    # A script's Bearer handshake carries no Origin; a browser's always does.
    async with await ws_connect(daphne_server, token=token, origin=None) as by_token:
        assert (await by_token.recv_json())["user"]["id"] == user.pk


async def test_bad_frames_get_errors_and_the_socket_survives(daphne_server, amake_user):
    async with await ws_connect(daphne_server, await amake_user()) as ws:
        await ws.recv_until("hello")
        await ws.send_text("{oops")
        assert (await ws.recv_json())["code"] == "bad_request"
        await ws.send_json({"type": "nobody.handles.this"})
        assert (await ws.recv_json())["code"] == "bad_request"
        await ws.send_json({"type": "x", "pad": "a" * 70_000})
        assert (await ws.recv_json())["code"] == "too_large"
        await ws.send_json({"type": "ping"})
        assert await ws.recv_json() == {"type": "pong"}


async def test_events_missed_while_disconnected_arrive_once_in_order(
    live_servers, amake_user, agroup
):
    (server,) = live_servers(1, preload=HOOKS)
    group = await agroup("ward")
    me = await amake_user(groups=(group,))
    other = await amake_user()
    async with await ws_connect(server, me) as ws:
        since = (await ws.recv_until("hello"))["seq"]
    expected = []
    for n in range(20):
        expected.append(await apublish(user_id=me.pk, payload={"n": n}))
        await apublish(user_id=other.pk)
        await apublish(stream=f"{STREAM_PREFIX}{group.pk + 1000}")
        expected.append(await apublish(stream=f"{STREAM_PREFIX}{group.pk}"))
    async with await ws_connect(server, me) as ws:
        assert (await ws.recv_until("hello"))["seq"] == expected[-1]
        await ws.send_json({"type": "resume", "after": since})
        resumed = await ws.recv_until("resumed")
        assert [f["seq"] for f in ws.skipped] == expected
        assert ws.skipped[0]["n"] == 0
        assert resumed["seq"] == expected[-1]


async def test_events_published_during_a_resume_are_neither_lost_nor_doubled(
    live_servers, amake_user
):
    (server,) = live_servers(1, preload=HOOKS)
    me, publisher = await amake_user(), await amake_user()

    def backlog() -> list[int]:
        Event.objects.bulk_create(
            Event(user_id=me.pk, type="test.event", payload={"n": n}) for n in range(3000)
        )
        return list(Event.objects.filter(user_id=me.pk).values_list("seq", flat=True))

    expected = await sync_to_async(backlog)()
    async with await ws_connect(server, me) as reader, await ws_connect(server, publisher) as pub:
        await reader.recv_until("hello")
        await pub.recv_until("hello")
        await reader.send_json({"type": "resume", "after": 0})
        await pub.send_json({"type": "test.publish", "count": 60, "user_id": me.pk})
        expected += (await pub.recv_until("test.published"))["seqs"]
        frames = await collect(reader, len(expected) + 1)  # + "resumed"
        seqs = [f["seq"] for f in frames if f["type"] == "test.event"]
        assert [f["type"] for f in frames].count("resumed") == 1
        assert seqs == sorted(expected)
        await reader.send_json({"type": "ping"})
        assert await reader.recv_json() == {"type": "pong"}  # nothing doubled was pending


async def test_a_user_never_receives_other_audiences(live_servers, amake_user, agroup):
    (server,) = live_servers(1, preload=HOOKS)
    ward, other_ward = await agroup("ward"), await agroup("other ward")
    me = await amake_user(groups=(ward,))
    other = await amake_user(groups=(other_ward,))
    async with await ws_connect(server, me) as mine, await ws_connect(server, other) as theirs:
        await mine.recv_until("hello")
        await theirs.recv_until("hello")
        for frame in (
            {"user_id": other.pk, "tag": "theirs"},
            {"stream": f"{STREAM_PREFIX}{other_ward.pk}", "tag": "their ward"},
            {"stream": f"{STREAM_PREFIX}{ward.pk}", "tag": "my ward"},
            {"user_id": me.pk, "tag": "mine"},
        ):
            await theirs.send_json({"type": "test.publish", **frame})
            await theirs.recv_until("test.published")
        tags = [(await mine.recv_json())["tag"] for _ in range(2)]
        assert tags == ["my ward", "mine"]
        await mine.send_json({"type": "resume", "after": 0})
        await mine.recv_until("resumed")
        assert [f["tag"] for f in mine.skipped] == ["my ward", "mine"]
        await theirs.send_json({"type": "resume", "after": 0})
        await theirs.recv_until("resumed")
        tags = {f["tag"] for f in theirs.skipped if f["type"] == "test.event"}
        assert tags == {"theirs", "their ward"}


@pytest.mark.production
async def test_two_servers_share_events_through_redis(live_servers, amake_user):
    server_a, server_b = live_servers(2, preload=HOOKS)
    me, publisher = await amake_user(), await amake_user()
    async with (
        await ws_connect(server_b, me) as on_b,
        await ws_connect(server_a, publisher) as pub_on_a,
    ):
        since = (await on_b.recv_until("hello"))["seq"]
        await pub_on_a.recv_until("hello")
        # Published inside process A: heard by the client of process B.
        await pub_on_a.send_json({"type": "test.publish", "count": 3, "user_id": me.pk})
        through_a = (await pub_on_a.recv_until("test.published"))["seqs"]
        # Published by this test process, which shares the Redis layer.
        from_here = await apublish(user_id=me.pk, payload={"tag": "direct"})
        frames = await collect(on_b, 4)
        assert [f["seq"] for f in frames] == [*through_a, from_here]
    async with await ws_connect(server_a, me) as on_a:
        await on_a.recv_until("hello")
        await on_a.send_json({"type": "resume", "after": since})
        await on_a.recv_until("resumed")
        assert [f["seq"] for f in on_a.skipped] == [*through_a, from_here]
