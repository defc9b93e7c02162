"""Chat over real Daphne processes and real websocket clients."""

import http.client
import json
import uuid

import pytest
from asgiref.sync import sync_to_async

from collab.accounts.services import create_token
from realtime.chat import services
from realtime.chat.models import Message
from tests.support.live import ws_connect

pytestmark = [pytest.mark.live]
PRELOAD = ("tests.chat.live_hooks",)


def post_json(server, path: str, data: dict, *, token: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps(data),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


async def hello(ws) -> dict:
    frame = await ws.recv_until("hello")
    return frame


async def send(ws, room_id: int, body: str, client_id: str | None = None, **extra) -> str:
    client_id = client_id or uuid.uuid4().hex
    await ws.send_json(
        {"type": "chat.send", "room": room_id, "body": body, "client_id": client_id, **extra}
    )
    return client_id


async def message_with_body(ws, body: str) -> dict:
    while True:
        frame = await ws.recv_until("chat.message")
        if frame["message"]["body"] == body:
            return frame


async def settle(ws) -> list[dict]:
    """Every frame the socket receives before the answer to a ping."""
    await ws.send_json({"type": "ping"})
    ws.skipped = []
    await ws.recv_until("pong")
    return ws.skipped


@pytest.fixture
def room(alice, bob):
    return services.create_room(creator=alice, kind="private", name="ops", members=[bob])


async def test_two_members_chat_and_a_resume_gets_exactly_what_was_missed(
    live_servers, alice, bob, room
):
    (server,) = live_servers(preload=PRELOAD)
    ws_a, ws_b = await ws_connect(server, alice), await ws_connect(server, bob)
    await hello(ws_a), await hello(ws_b)

    cid = await send(ws_a, room.pk, "សួស្តី **bob**")
    ack = await ws_a.recv_until("ack")
    assert ack["client_id"] == cid and ack["message"]["id"] and ack["message"]["seq"]
    got = await ws_b.recv_until("chat.message")
    assert got["room"] == room.pk and got["seq"] == ack["message"]["seq"]
    assert got["message"]["body"] == "សួស្តី **bob**"
    assert got["message"]["body_html"] == "<p>សួស្តី <strong>bob</strong></p>"
    assert got["message"]["author"]["username"] == "alice"
    assert got["message"]["client_id"] == cid
    last_seen = got["seq"]
    await ws_b.close()

    sent = []
    for i in range(100):
        await send(ws_a, room.pk, f"missed {i}")
    for _ in range(100):
        sent.append((await ws_a.recv_until("ack"))["message"]["id"])

    ws_b = await ws_connect(server, bob)
    await hello(ws_b)
    await ws_b.send_json({"type": "resume", "after": last_seen})
    done = await ws_b.recv_until("resumed", timeout=30)
    frames = [f for f in ws_b.skipped if f["type"] == "chat.message"]
    assert [f["message"]["id"] for f in frames] == sent
    assert [f["message"]["body"] for f in frames] == [f"missed {i}" for i in range(100)]
    assert done["seq"] == frames[-1]["seq"]
    assert [f["seq"] for f in frames] == sorted({f["seq"] for f in frames})

    # A flaky link resends: the same message comes back, nothing new is created or pushed.
    await ws_a.send_json({"type": "chat.send", "room": room.pk, "body": "x", "client_id": cid})
    again = await ws_a.recv_until("ack")
    assert again["message"] == ack["message"]
    assert await sync_to_async(Message.objects.count)() == 101
    assert not [f for f in await settle(ws_b) if f["type"] == "chat.message"]
    await ws_a.close(), await ws_b.close()


async def test_non_member_is_refused_and_learns_nothing(live_servers, carol, room):
    (server,) = live_servers(preload=PRELOAD)
    ws = await ws_connect(server, carol)
    await hello(ws)
    answers = []
    for room_id in (room.pk, room.pk + 1000):
        await send(ws, room_id, "let me in", client_id="same")
        error = await ws.recv_until("error")
        answers.append(error)
        await ws.send_json({"type": "chat.typing", "room": room_id})
        answers.append(await ws.recv_until("error"))
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert {a["code"] for a in answers} == {"forbidden"}
    assert await sync_to_async(Message.objects.count)() == 0
    await ws.close()


@pytest.mark.parametrize(
    "frame, field",
    [
        ({"type": "chat.send", "room": "one", "body": "x", "client_id": "a"}, "room"),
        ({"type": "chat.send", "room": True, "body": "x", "client_id": "a"}, "room"),
        ({"type": "chat.send", "room": 1, "client_id": "a"}, "body"),
        ({"type": "chat.send", "room": 1, "body": "x", "client_id": 7}, "client_id"),
        ({"type": "chat.send", "room": 1, "body": "x", "client_id": "a", "thread": -3}, "thread"),
        ({"type": "chat.edit", "message": "1", "body": "x"}, "message"),
        ({"type": "chat.react", "message": 1, "emoji": "x", "add": "yes"}, "add"),
        ({"type": "chat.read", "room": 1}, "message"),
    ],
)
async def test_malformed_frames_get_errors_and_the_socket_survives(
    live_servers, alice, room, frame, field
):
    (server,) = live_servers(preload=PRELOAD)
    ws = await ws_connect(server, alice)
    await hello(ws)
    await ws.send_json(frame)
    error = await ws.recv_until("error")
    assert error["code"] == "bad_request" and error["field"] == field
    await ws.send_text("{not json")
    assert (await ws.recv_until("error"))["code"] == "bad_request"
    await send(ws, room.pk, "still here")
    assert (await ws.recv_until("ack"))["message"]["id"]
    await ws.close()


async def test_flooding_gets_rate_limited_with_a_retry_time_not_a_dropped_socket(
    live_servers, alice, room
):
    # Default limits here (20 writes, then 5 per second), unlike the other chat tests.
    (server,) = live_servers()
    ws = await ws_connect(server, alice)
    await hello(ws)
    for i in range(60):
        await send(ws, room.pk, f"flood {i}")
    acks, limited = 0, []
    while acks + len(limited) < 60:
        frame = await ws.recv_json(timeout=30)
        if frame["type"] == "ack":
            acks += 1
        elif frame["type"] == "error":
            assert frame["code"] == "rate_limited", frame
            limited.append(frame)
    assert limited and all(f["retry_after"] > 0 for f in limited)
    assert acks == await sync_to_async(Message.objects.count)() and 20 <= acks < 60
    assert ws.close_code is None
    await settle(ws)
    await ws.close()


async def test_edit_delete_react_read_typing_and_presence_reach_the_other_member(
    live_servers, alice, bob, room
):
    (server,) = live_servers(preload=PRELOAD)
    ws_a, ws_b = await ws_connect(server, alice), await ws_connect(server, bob)
    await hello(ws_a), await hello(ws_b)
    await send(ws_a, room.pk, "draft")
    mid = (await ws_a.recv_until("ack"))["message"]["id"]
    await ws_b.recv_until("chat.message")

    await ws_a.send_json({"type": "chat.typing", "room": room.pk})
    typing = await ws_b.recv_until("chat.typing")
    assert typing == {"type": "chat.typing", "room": room.pk, "user": "alice"}
    await ws_a.send_json({"type": "presence", "status": "away"})
    presence = await ws_b.recv_until("presence")
    assert (presence["user"], presence["status"]) == ("alice", "away")

    await ws_a.send_json({"type": "chat.edit", "message": mid, "body": "final"})
    edited = await ws_b.recv_until("chat.edited")
    assert edited["message"]["body"] == "final" and edited["message"]["edited"]
    await ws_b.send_json({"type": "chat.react", "message": mid, "emoji": "👍"})
    reaction = await ws_a.recv_until("chat.reaction")
    assert reaction["reactions"] == {"👍": ["bob"]} and reaction["added"] is True
    await ws_b.send_json({"type": "chat.read", "room": room.pk, "message": mid})
    read = await ws_b.recv_until("chat.read")
    assert (read["room"], read["message"], read["unread"]) == (room.pk, mid, 0)
    await ws_a.send_json({"type": "chat.delete", "message": mid})
    deleted = await ws_b.recv_until("chat.deleted")
    assert deleted["message"] == {"id": mid, "thread": None, "deleted": True}
    await ws_a.close(), await ws_b.close()


async def test_a_room_created_after_connecting_is_heard_without_reconnecting(
    live_servers, alice, bob
):
    (server,) = live_servers(preload=PRELOAD)
    ws_b = await ws_connect(server, bob)
    await hello(ws_b)
    ws_a = await ws_connect(server, alice)
    await hello(ws_a)
    await ws_a.send_json({"type": "chat.send", "room": 1, "body": "x", "client_id": "z"})
    await ws_a.recv_until("error")
    # Created through the server's own API, so its after-commit pushes come from there.
    token = await sync_to_async(create_token)(user=alice, name="live")
    status, body = await sync_to_async(post_json)(
        server, "/api/v1/chat/rooms", {"kind": "dm", "members": ["bob"]}, token=token
    )
    assert status == 201, body
    new_id = body["id"]
    joined = await ws_b.recv_until("chat.joined")
    assert joined["room"]["id"] == new_id
    await settle(ws_a)  # the membership frame is handled before the next message
    await send(ws_a, new_id, "new room")
    got = await ws_b.recv_until("chat.message")
    assert got["message"]["body"] == "new room"
    await ws_a.close(), await ws_b.close()


@pytest.mark.production
async def test_members_on_two_daphne_processes_see_each_other(live_servers, alice, bob, room):
    one, two = live_servers(2, preload=PRELOAD)
    ws_a, ws_b = await ws_connect(one, alice), await ws_connect(two, bob)
    await hello(ws_a), await hello(ws_b)
    await send(ws_a, room.pk, "from process one")
    await message_with_body(ws_b, "from process one")
    await send(ws_b, room.pk, "from process two")
    await message_with_body(ws_a, "from process two")
    await ws_b.send_json({"type": "chat.typing", "room": room.pk})
    assert (await ws_a.recv_until("chat.typing"))["user"] == "bob"
    await ws_a.close(), await ws_b.close()
