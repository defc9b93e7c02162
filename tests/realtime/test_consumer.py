"""StreamConsumer in-process (channels' WebsocketCommunicator, the settings' layer)."""

import asyncio
import json
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import transaction

from collab.core.errors import ServiceError
from realtime import consumers, fanout, selectors
from realtime.consumers import StreamConsumer
from realtime.handlers import frame_handler
from realtime.services import notify_stream_membership, publish, send_ephemeral_async
from tests.realtime.live_hooks import STREAM_PREFIX

pytestmark = [pytest.mark.django_db(transaction=True)]


@frame_handler("test.echo")
async def _echo(consumer, frame: dict) -> None:
    if frame.get("fail") == "frame":
        raise ServiceError("not_allowed", "no echo for you", field="text")
    if frame.get("fail") == "crash":
        raise RuntimeError("handler bug")
    await consumer.send_frame(
        {"type": "test.echoed", "text": frame.get("text"), "channel": consumer.channel_name}
    )


def _publish(**kwargs):
    with transaction.atomic():
        return publish(type="test.event", payload=kwargs.pop("payload", {}), **kwargs)


apublish = sync_to_async(_publish)


async def connect(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(StreamConsumer.as_asgi(), "/ws/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    return communicator


async def recv(communicator, timeout: float = 10) -> dict:
    return await communicator.receive_json_from(timeout=timeout)


async def recv_until(communicator, type_: str) -> tuple[list[dict], dict]:
    before = []
    while (frame := await recv(communicator))["type"] != type_:
        before.append(frame)
    return before, frame


async def test_hello_names_the_user_and_the_latest_visible_seq(amake_user, agroup):
    group = await agroup("ward")
    me = await amake_user("ana", groups=(group,))
    other = await amake_user("bo")
    mine = await apublish(user_id=me.pk)
    in_stream = await apublish(stream=f"{STREAM_PREFIX}{group.pk}")
    await apublish(user_id=other.pk)  # later seq, not visible to me
    await apublish(stream=f"{STREAM_PREFIX}999999")
    ws = await connect(me)
    hello = await recv(ws)
    assert hello == {
        "type": "hello",
        "user": {"id": me.pk, "username": "ana", "name": "ana", "name_km": "ana"},
        "seq": in_stream.seq,
    }
    assert mine.seq < in_stream.seq
    await ws.disconnect()


async def test_bad_frames_get_errors_and_the_socket_stays_open(amake_user):
    ws = await connect(await amake_user())
    await recv(ws)
    cases = [
        ("{not json", "bad_request"),
        ("[1, 2]", "bad_request"),
        (json.dumps({"no": "type"}), "bad_request"),
        (json.dumps({"type": 7}), "bad_request"),
        (json.dumps({"type": "no.such.frame", "id": "r1"}), "bad_request"),
        (json.dumps({"type": "resume", "after": -1}), "bad_request"),
        (json.dumps({"type": "resume", "after": "5"}), "bad_request"),
        (json.dumps({"type": "x", "pad": "a" * consumers.MAX_FRAME_BYTES}), "too_large"),
        # 30,000 Khmer letters: under 64 K characters but 90,000 bytes of UTF-8.
        (json.dumps({"type": "x", "pad": "ក" * 30_000}, ensure_ascii=False), "too_large"),
    ]
    for text, code in cases:
        await ws.send_to(text_data=text)
        error = await recv(ws)
        assert (error["type"], error["code"]) == ("error", code), text[:40]
        assert error["detail"]
    await ws.send_json_to({"type": "no.such.frame", "id": "r1"})
    assert (await recv(ws))["id"] == "r1"
    await ws.send_to(bytes_data=b"\x00\x01")
    assert (await recv(ws))["code"] == "bad_request"
    await ws.send_json_to({"type": "ping"})
    assert await recv(ws) == {"type": "pong"}
    await ws.disconnect()


async def test_registered_handlers_answer_and_their_failures_become_error_frames(amake_user):
    ws = await connect(await amake_user())
    await recv(ws)
    await ws.send_json_to({"type": "test.echo", "text": "សួស្តី"})
    echoed = await recv(ws)
    assert (echoed["type"], echoed["text"]) == ("test.echoed", "សួស្តី")
    await ws.send_json_to({"type": "test.echo", "fail": "frame", "id": 4})
    assert await recv(ws) == {
        "type": "error",
        "code": "not_allowed",
        "detail": "no echo for you",
        "field": "text",
        "id": 4,
    }
    await ws.send_json_to({"type": "test.echo", "fail": "crash"})
    assert (await recv(ws))["code"] == "internal"
    await ws.send_json_to({"type": "ping"})
    assert await recv(ws) == {"type": "pong"}
    await ws.disconnect()


async def test_resume_sends_each_missed_visible_event_once_in_order(amake_user, agroup):
    group = await agroup("ward")
    me = await amake_user(groups=(group,))
    other = await amake_user()
    ws = await connect(me)
    hello = await recv(ws)
    await ws.disconnect()
    expected = []
    for n in range(12):
        expected.append((await apublish(user_id=me.pk, payload={"n": n})).seq)
        await apublish(user_id=other.pk)
        expected.append((await apublish(stream=f"{STREAM_PREFIX}{group.pk}")).seq)
        await apublish(stream=f"{STREAM_PREFIX}{group.pk + 1000}")
    ws = await connect(me)
    await recv(ws)
    await ws.send_json_to({"type": "resume", "after": hello["seq"]})
    frames, resumed = await recv_until(ws, "resumed")
    assert [f["seq"] for f in frames] == expected
    assert frames[0] == {"type": "test.event", "seq": expected[0], "n": 0}
    assert resumed == {"type": "resumed", "seq": expected[-1], "checkpoint": resumed["checkpoint"]}
    assert resumed["checkpoint"] >= expected[-1]
    # Resuming from the middle sends only the rest.
    await ws.send_json_to({"type": "resume", "after": expected[9]})
    frames, resumed = await recv_until(ws, "resumed")
    assert [f["seq"] for f in frames] == expected[10:]
    await ws.disconnect()


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(consumers, "RESUME_PAGE_SIZE", 4)


async def test_events_published_during_a_resume_are_neither_lost_nor_doubled(
    amake_user, monkeypatch, small_pages
):
    me = await amake_user()
    before = [(await apublish(user_id=me.pk)).seq for _ in range(10)]
    during: list[int] = []
    read_page = selectors.event_frames_page
    latest_seq = selectors.latest_seq

    def racing_latest_seq():
        # Committed (and pushed) before the resume's mark: read from the database
        # and also heard live while resuming; must be sent once.
        during.append(_publish(user_id=me.pk).seq)
        return latest_seq()

    def racing_page(**kwargs):
        # Committed after the mark while pages are being read: arrives live only.
        frames = read_page(**kwargs)
        during.append(_publish(user_id=me.pk).seq)
        return frames

    monkeypatch.setattr(selectors, "latest_seq", racing_latest_seq)
    monkeypatch.setattr(selectors, "event_frames_page", racing_page)
    ws = await connect(me)
    await recv(ws)
    await ws.send_json_to({"type": "resume", "after": 0})
    frames, resumed = await recv_until(ws, "resumed")
    seqs = [f["seq"] for f in frames]
    assert resumed["seq"] == seqs[-1]
    # The last racing event may be heard just after "resumed": still once, in order.
    while len(seqs) < len(before) + len(during):
        seqs.append((await recv(ws))["seq"])
    assert seqs == sorted(before + during)
    monkeypatch.setattr(selectors, "event_frames_page", read_page)
    monkeypatch.setattr(selectors, "latest_seq", latest_seq)
    after = await apublish(user_id=me.pk)
    assert (await recv(ws))["seq"] == after.seq  # live again, nothing doubled
    await ws.disconnect()


async def test_a_resume_whose_live_buffer_overflows_reads_the_database_again(
    amake_user, monkeypatch, small_pages
):
    monkeypatch.setattr(consumers, "RESUME_BUFFER_LIMIT", 2)
    me = await amake_user()
    expected = [(await apublish(user_id=me.pk)).seq for _ in range(6)]
    read_page = selectors.event_frames_page
    bursts = iter([5, 5])

    def racing_page(**kwargs):
        frames = read_page(**kwargs)
        for _ in range(next(bursts, 0)):
            expected.append(_publish(user_id=me.pk).seq)
        return frames

    monkeypatch.setattr(selectors, "event_frames_page", racing_page)
    ws = await connect(me)
    await recv(ws)
    await ws.send_json_to({"type": "resume", "after": 0})
    frames, _ = await recv_until(ws, "resumed")
    seqs = [f["seq"] for f in frames]
    while len(seqs) < len(expected):
        seqs.append((await recv(ws))["seq"])
    assert seqs == expected
    await ws.disconnect()


async def test_a_second_resume_while_one_runs_is_refused(amake_user, monkeypatch):
    me = await amake_user()
    seq = await apublish(user_id=me.pk)
    release = threading.Event()
    read_page = selectors.event_frames_page

    def blocked_page(**kwargs):
        release.wait(30)
        return read_page(**kwargs)

    monkeypatch.setattr(selectors, "event_frames_page", blocked_page)
    ws = await connect(me)
    await recv(ws)
    await ws.send_json_to({"type": "resume", "after": 0})
    await ws.send_json_to({"type": "resume", "after": 0, "id": "again"})
    error = await recv(ws)
    assert (error["code"], error["id"]) == ("bad_request", "again")
    release.set()
    frames, resumed = await recv_until(ws, "resumed")
    assert [f["seq"] for f in frames] == [seq.seq]
    await ws.disconnect()


async def test_live_events_reach_only_their_audience(amake_user, agroup):
    group = await agroup("ward")
    me = await amake_user(groups=(group,))
    other = await amake_user()
    ws = await connect(me)
    await recv(ws)
    await apublish(user_id=other.pk)
    await apublish(stream=f"{STREAM_PREFIX}{group.pk + 1000}")
    mine = await apublish(stream=f"{STREAM_PREFIX}{group.pk}", payload={"text": "ជំរាបសួរ"})
    assert await recv(ws) == {"type": "test.event", "seq": mine.seq, "text": "ជំរាបសួរ"}
    await ws.disconnect()


async def test_membership_changes_join_and_leave_stream_groups(amake_user, agroup):
    me = await amake_user()
    group = await agroup("ward")
    stream = f"{STREAM_PREFIX}{group.pk}"
    ws = await connect(me)
    await recv(ws)

    def join(joined: bool) -> None:
        with transaction.atomic():
            notify_stream_membership(user_id=me.pk, stream=stream, joined=joined)

    await sync_to_async(join)(True)
    await ws.send_json_to({"type": "ping"})  # the control message is handled before this
    assert await recv(ws) == {"type": "pong"}
    event = await apublish(stream=stream)
    assert (await recv(ws))["seq"] == event.seq
    await sync_to_async(join)(False)
    await ws.send_json_to({"type": "ping"})
    assert await recv(ws) == {"type": "pong"}
    await apublish(stream=stream)
    own = await apublish(user_id=me.pk)
    assert (await recv(ws))["seq"] == own.seq
    await ws.disconnect()


async def test_ephemeral_frames_skip_the_excluded_socket(amake_user, agroup):
    group = await agroup("ward")
    me = await amake_user(groups=(group,))
    first, second = await connect(me), await connect(me)
    await recv(first)
    await recv(second)
    await first.send_json_to({"type": "test.echo"})
    first_channel = (await recv(first))["channel"]
    await send_ephemeral_async(
        stream=f"{STREAM_PREFIX}{group.pk}",
        frame={"type": "test.typing", "user": me.pk},
        exclude_channel=first_channel,
    )
    assert await recv(second) == {"type": "test.typing", "user": me.pk}
    await first.send_json_to({"type": "ping"})
    assert await recv(first) == {"type": "pong"}
    await first.disconnect()
    await second.disconnect()


async def test_rate_limit_answers_with_retry_after(amake_user, settings):
    settings.SAHAKAR_WS_RATE_LIMIT = (5, 0.5)
    ws = await connect(await amake_user())
    await recv(ws)
    for _ in range(8):
        await ws.send_json_to({"type": "ping"})
    frames = [await recv(ws) for _ in range(6)]
    assert frames[:5] == [{"type": "pong"}] * 5
    assert frames[5]["code"] == "rate_limited" and 0 < frames[5]["retry_after"] <= 2
    # Told once for the run of refused frames, not once per frame (a flood's cost halved).
    assert await ws.receive_nothing(timeout=0.3)
    for _ in range(60):  # the bucket refills: the next accepted frame is answered again
        await ws.send_json_to({"type": "ping"})
        if not await ws.receive_nothing(timeout=0.1):
            break
    assert await recv(ws) == {"type": "pong"}
    await ws.disconnect()


async def test_the_process_subscribes_once_per_group_and_fans_out_to_each_socket(
    amake_user, agroup
):
    group = await agroup("ward")
    people = [await amake_user(groups=(group,)) for _ in range(3)]
    sockets = [await connect(person) for person in people]
    for ws in sockets:
        await recv(ws)
    stream_group = f"stream.{STREAM_PREFIX}{group.pk}"
    hub = fanout.for_layer(get_channel_layer())
    assert len(hub.members[stream_group]) == 3
    assert stream_group in hub.subscribed

    event = await apublish(stream=f"{STREAM_PREFIX}{group.pk}", payload={"n": 1})
    for ws in sockets:
        assert await recv(ws) == {"type": "test.event", "seq": event.seq, "n": 1}

    for ws in sockets[:2]:
        await ws.disconnect()
    assert len(hub.members[stream_group]) == 1
    assert stream_group in hub.subscribed
    await sockets[2].disconnect()
    await asyncio.sleep(0.05)  # the unsubscription runs as its own task
    assert stream_group not in hub.members
    assert stream_group not in hub.subscribed


async def test_a_burst_larger_than_a_channel_layer_default_reaches_the_socket(amake_user):
    person = await amake_user()
    ws = await connect(person)
    await recv(ws)
    # Ephemeral frames are never repaired from the database: a drop would show here.
    # Sent together, they are all queued before the fan-out reads the first one.
    await asyncio.gather(
        *(
            send_ephemeral_async(user_id=person.pk, frame={"type": "test.burst", "n": n})
            for n in range(300)
        )
    )
    received = [(await recv(ws))["n"] for _ in range(300)]
    assert received == list(range(300))
    await ws.disconnect()


async def test_a_process_starting_too_many_sockets_tells_the_next_to_come_back(
    amake_user, settings
):
    me = await amake_user()
    settings.SAHAKAR_WS_MAX_STARTING = 0
    refused = WebsocketCommunicator(StreamConsumer.as_asgi(), "/ws/")
    refused.scope["user"] = me
    assert (await refused.connect(timeout=10))[0]
    closed = await refused.receive_output(timeout=10)
    assert (closed["type"], closed["code"]) == ("websocket.close", 1013)
    assert 1.0 <= float(closed["reason"]) <= 2.0  # seconds to wait, jittered

    # A socket counts only until its hello: one at a time, each is admitted in turn.
    settings.SAHAKAR_WS_MAX_STARTING = 1
    for _ in range(3):
        ws = await connect(me)
        assert (await recv(ws))["type"] == "hello"
        await ws.disconnect()
    assert consumers._starting == 0
