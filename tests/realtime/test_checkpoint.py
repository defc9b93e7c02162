"""The resume guarantee over an at-most-once channel layer: checkpoints and resume "have"."""

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction

from realtime import checkpoints, selectors
from realtime.models import Event
from realtime.services import push
from tests.realtime.test_consumer import connect, recv, recv_until

pytestmark = [pytest.mark.django_db(transaction=True)]


def _store_silently(*, user_id: int, n: int = 0) -> Event:
    """An event committed without its push: what a dropped group_send leaves behind."""
    with transaction.atomic():
        return Event.objects.create(type="test.event", payload={"n": n}, user_id=user_id)


astore_silently = sync_to_async(_store_silently)


@pytest.fixture
def fast_checkpoints(settings):
    settings.SAHAKAR_WS_CHECKPOINT_DELAY = 0.05
    settings.SAHAKAR_WS_CHECKPOINT_IDLE = 0.3


@pytest.fixture
def no_checkpoints(settings):
    settings.SAHAKAR_WS_CHECKPOINT_DELAY = 600
    settings.SAHAKAR_WS_CHECKPOINT_IDLE = 600


async def test_a_dropped_live_event_arrives_at_the_next_checkpoint_exactly_once(
    amake_user, fast_checkpoints
):
    me = await amake_user()
    ws = await connect(me)
    await recv(ws)
    lost = await astore_silently(user_id=me.pk)
    frames, checkpoint = await recv_until(ws, "checkpoint")
    assert frames == [{"type": "test.event", "seq": lost.seq, "n": 0}]
    assert checkpoint == {"type": "checkpoint", "seq": lost.seq}
    # A late push of the same event (the layer was only slow) is not sent again.
    await sync_to_async(push)(lost)
    following = await astore_silently(user_id=me.pk, n=1)
    await sync_to_async(push)(following)
    assert await recv(ws) == {"type": "test.event", "seq": following.seq, "n": 1}
    assert await recv(ws) == {"type": "checkpoint", "seq": following.seq}
    assert await ws.receive_nothing(timeout=0.6)
    await ws.disconnect()


async def test_an_event_overtaken_live_is_repaired_by_the_checkpoint(amake_user, fast_checkpoints):
    me = await amake_user()
    ws = await connect(me)
    await recv(ws)
    late = await astore_silently(user_id=me.pk, n=1)
    early = await astore_silently(user_id=me.pk, n=2)
    await sync_to_async(push)(early)  # seq S arrives first ...
    assert (await recv(ws))["seq"] == early.seq
    frames, checkpoint = await recv_until(ws, "checkpoint")
    assert [f["seq"] for f in frames] == [late.seq]  # ... S-1 comes from the database
    assert checkpoint["seq"] == early.seq
    await sync_to_async(push)(late)  # its own push, late: dropped as already sent
    assert await ws.receive_nothing(timeout=0.6)
    await ws.disconnect()


async def test_resume_with_have_after_an_out_of_order_arrival_misses_and_doubles_nothing(
    amake_user, no_checkpoints
):
    me = await amake_user()
    ws = await connect(me)
    hello = await recv(ws)
    late = await astore_silently(user_id=me.pk, n=1)
    early = await astore_silently(user_id=me.pk, n=2)
    await sync_to_async(push)(early)
    assert (await recv(ws))["seq"] == early.seq
    await ws.disconnect()  # before S-1 arrived and before any checkpoint
    after = await astore_silently(user_id=me.pk, n=3)
    ws = await connect(me)
    await recv(ws)
    # The client's last checkpoint is the hello seq; it holds "early" above it.
    await ws.send_json_to({"type": "resume", "after": hello["seq"], "have": [early.seq]})
    frames, resumed = await recv_until(ws, "resumed")
    assert [f["seq"] for f in frames] == [late.seq, after.seq]
    assert resumed["checkpoint"] == after.seq
    await ws.disconnect()


async def test_resume_without_have_still_sends_everything_after(amake_user, no_checkpoints):
    me = await amake_user()
    ws = await connect(me)
    hello = await recv(ws)
    seqs = [(await astore_silently(user_id=me.pk, n=n)).seq for n in range(3)]
    await ws.send_json_to({"type": "resume", "after": hello["seq"]})
    frames, _ = await recv_until(ws, "resumed")
    assert [f["seq"] for f in frames] == seqs
    await ws.disconnect()


@pytest.mark.parametrize(
    "have", ["1,2", [1, "2"], [True], list(range(2001))], ids=["text", "mixed", "bool", "long"]
)
async def test_a_bad_have_is_refused_naming_the_field(amake_user, no_checkpoints, have):
    me = await amake_user()
    ws = await connect(me)
    await recv(ws)
    await ws.send_json_to({"type": "resume", "after": 0, "have": have})
    error = await recv(ws)
    assert (error["type"], error["code"], error["field"]) == ("error", "bad_request", "have")
    await ws.disconnect()


def test_the_checkpoints_of_many_sockets_read_together_each_its_own_share(
    make_user, django_assert_num_queries
):
    alice, bob, carol = make_user(), make_user(), make_user()
    mine = _store_silently(user_id=alice.pk).seq
    theirs = _store_silently(user_id=bob.pk).seq
    with transaction.atomic():
        room = Event.objects.create(type="test.event", payload={}, stream="room.1").seq
    reader = checkpoints.CheckpointReader(window=0.01, limit=100)

    async def together():
        return await asyncio.gather(
            reader.read(user_id=alice.pk, streams=frozenset({"room.1"}), after=0),
            reader.read(user_id=bob.pk, streams=frozenset(), after=0),
            reader.read(user_id=carol.pk, streams=frozenset({"room.2"}), after=0),
            reader.read(user_id=bob.pk, streams=frozenset({"room.1"}), after=theirs),
        )

    with django_assert_num_queries(1):
        answers = async_to_sync(together)()
    # Each socket sees only its own events; all share how far the read reached.
    assert answers == [([mine, room], room), ([theirs], room), ([], room), ([room], room)]


def test_a_truncated_read_covers_only_what_it_read(make_user):
    me = make_user()
    seqs = [_store_silently(user_id=me.pk, n=n).seq for n in range(5)]
    reader = checkpoints.CheckpointReader(window=0.0, limit=3)
    answer = async_to_sync(reader.read)(user_id=me.pk, streams=frozenset(), after=0)
    assert answer == (seqs[:3], seqs[2])


def test_lost_events_cost_one_more_query_and_none_when_received_live(
    make_user, django_assert_num_queries
):
    me = make_user()
    seqs = [_store_silently(user_id=me.pk, n=n).seq for n in range(3)]
    with django_assert_num_queries(1):
        frames = selectors.event_frames(seqs=seqs[1:])
    assert [f["seq"] for f in frames] == seqs[1:]
    checkpoints.remember_live_text(seqs[0], '{"seq":1}')
    assert checkpoints.live_text(seqs[0]) == '{"seq":1}'
