"""Malformed and random frames on /ws/ against a real Daphne: each gets its precise error
frame (or, at random, any answer but a server failure), the socket stays open, and a valid
frame afterwards still works (docs/protocol.md, Errors)."""

import json
import random

import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from django.db import connections

from realtime.handlers import registered_types
from tests.support.live import ws_connect

pytestmark = [pytest.mark.live]

BIG = 2**64 + 1
DEEP = '{"type":"ping","x":' + "[" * 5000 + "]" * 5000 + "}"
TOO_DEEP = {"type": "ping", "x": json.loads("[" * 40 + "]" * 40)}

def _send(fields: str) -> str:
    return '{"type": "chat.send", "client_id": "c", ' + fields + "}"


# (what, text frame or bytes for a binary frame, error code, field or None)
MALFORMED = [
    ("not JSON", "{type: ping", "bad_request", None),
    ("truncated JSON", '{"type": "ping"', "bad_request", None),
    ("empty frame", "", "bad_request", None),
    ("JSON array", '["ping"]', "bad_request", None),
    ("JSON string", '"ping"', "bad_request", None),
    ("JSON number", "42", "bad_request", None),
    ("JSON null", "null", "bad_request", None),
    ("binary frame", b'{"type": "ping"}', "bad_request", None),
    ("binary garbage", bytes(range(256)), "bad_request", None),
    ("over 64 KB", '{"type":"ping","pad":"' + "a" * 70_000 + '"}', "too_large", None),
    ("over 64 KB of UTF-8", '{"type":"ping","pad":"' + "ក" * 22_000 + '"}', "too_large", None),
    ("nesting overflows the parser", DEEP, "bad_request", None),
    ("nested deeper than 32", json.dumps(TOO_DEEP), "bad_request", None),
    ("no type", '{"id": "a"}', "bad_request", "type"),
    ("type is a number", '{"type": 7}', "bad_request", "type"),
    ("type is null", '{"type": null}', "bad_request", "type"),
    ("type is an object", '{"type": {"a": 1}}', "bad_request", "type"),
    ("unknown type", '{"type": "launch.missiles"}', "bad_request", None),
    ("reserved type from a client", '{"type": "error"}', "bad_request", None),
    ("id is an object", '{"type": "ping", "id": {}}', "bad_request", "id"),
    ("id too long", json.dumps({"type": "ping", "id": "x" * 65}), "bad_request", "id"),
    ("id beyond 64 bits", json.dumps({"type": "ping", "id": BIG}), "bad_request", "id"),
    ("chat.send missing room", _send('"body": "x"'), "bad_request", "room"),
    ("chat.send room a string", _send('"room": "one", "body": "x"'),
     "bad_request", "room"),
    ("chat.send room a float", _send('"room": 1.5, "body": "x"'),
     "bad_request", "room"),
    ("chat.send room negative", _send('"room": -1, "body": "x"'),
     "bad_request", "room"),
    ("chat.send body a list", _send('"room": 1, "body": ["x"]'),
     "bad_request", "body"),
    ("chat.read message null", '{"type": "chat.read", "room": 1, "message": null}',
     "bad_request", "message"),
    ("resume after a string", '{"type": "resume", "after": "0"}', "bad_request", "after"),
    ("resume have not a list", '{"type": "resume", "after": 0, "have": 3}',
     "bad_request", "have"),
    ("integer beyond 64 bits deep inside", json.dumps({"type": "ping", "x": [{"y": BIG}]}),
     "bad_request", "x"),
    ("lone surrogate in a body", _send('"room": ROOM, "body": "a\\ud800b"'),
     "bad_request", "body"),
    ("lone surrogate in an id", '{"type": "ping", "id": "\\udfff"}', "bad_request", "id"),
    ("lone surrogate in a key", '{"type": "ping", "\\ud800": 1}', "bad_request", None),
]


@pytest.fixture(autouse=True)
def _close_async_thread_connections():
    """ORM calls from async tests run in asgiref's one executor thread; close its
    connections so PostgreSQL can flush and drop the test database."""
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


def _member_of_a_room(django_user_model):
    from realtime.chat import services

    user = django_user_model.objects.create_user("fuzzer", password="pw-not-used-123")
    room = services.create_room(creator=user, kind="private", name="Fuzz")
    return user, room.pk


async def test_malformed_frames_get_precise_errors_and_the_socket_survives(
    daphne_server, django_user_model
):
    user, room = await sync_to_async(_member_of_a_room)(django_user_model)
    answers = {}
    # A socket per 20 frames: each bad frame and the ping after it stay within the socket's
    # burst of 60 frames, so no answer is a rate_limited one.
    for start in range(0, len(MALFORMED), 20):
        async with await ws_connect(daphne_server, user) as ws:
            await ws.recv_until("hello")
            for what, data, _code, _field in MALFORMED[start:start + 20]:
                if isinstance(data, bytes):
                    await ws.connection.send(data)
                else:
                    await ws.send_text(data.replace("ROOM", str(room)))
                error = await ws.recv_until("error")
                answers[what] = (error["code"], error.get("field"))
                await ws.send_json({"type": "ping"})
                assert await ws.recv_until("pong") == {"type": "pong"}, what
            # A valid frame afterwards is handled as usual.
            await ws.send_json({"type": "chat.send", "room": room, "body": "still here",
                                "client_id": f"after-{start}"})
            ack = await ws.recv_until("ack")
            assert ack["client_id"] == f"after-{start}" and ack["message"]["id"] > 0
            assert ws.close_code is None
    assert answers == {what: (code, field) for what, _, code, field in MALFORMED}


async def test_invalid_utf8_closes_only_that_socket_with_1007(daphne_server, django_user_model):
    user, _room = await sync_to_async(_member_of_a_room)(django_user_model)
    async with await ws_connect(daphne_server, user) as other:
        await other.recv_until("hello")
        async with await ws_connect(daphne_server, user) as ws:
            await ws.recv_until("hello")
            await ws.connection.send(b'{"type": "ping", "x": "\xff\xfe"}', text=True)
            assert await ws.wait_closed() == 1007  # RFC 6455 §8.1: invalid UTF-8 fails it
        await other.send_json({"type": "ping"})
        assert await other.recv_until("pong") == {"type": "pong"}


async def test_a_flood_is_rate_limited_and_the_socket_and_others_stay_up(
    daphne_server, django_user_model
):
    user, _room = await sync_to_async(_member_of_a_room)(django_user_model)
    async with await ws_connect(daphne_server, user) as other:
        await other.recv_until("hello")
        async with await ws_connect(daphne_server, user) as ws:
            await ws.recv_until("hello")
            for number in range(1000):  # far past the burst (60 frames, 20 a second)
                await ws.send_json({"type": "nope", "id": number})
            await other.send_json({"type": "ping", "id": "during"})
            assert (await other.recv_until("pong"))["type"] == "pong"
            codes, limited = set(), None
            while len(codes) < 2 or limited is None:
                error = await ws.recv_until("error")
                codes.add(error["code"])
                if error["code"] == "rate_limited":
                    limited = error
            assert codes == {"bad_request", "rate_limited"}
            assert limited["retry_after"] > 0 and "id" not in limited
            assert ws.close_code is None


FIELDS = ("room", "message", "meeting", "user", "to", "body", "emoji", "after", "have",
          "id", "client_id", "sdp", "candidate", "recording", "appointment", "thread",
          "add", "status", "hand_raised")


def _random_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return rng.randint(-(2**70), 2**70)
    if kind == 1:
        return rng.randint(-3, 50)  # near real ids
    if kind == 2:
        return rng.uniform(-1e20, 1e20)
    if kind == 3:
        return "".join(chr(rng.randint(1, 0x10FFFF)) for _ in range(rng.randint(0, 12)))
    if kind == 4:
        return rng.choice([None, True, False, "", "ស្រេង ពិសី"])
    if kind == 5:
        return rng.choice(["ping", "chat.send", "x" * 300])
    if kind in (6, 7):
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(FIELDS): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _random_frame(rng: random.Random, types: list[str]) -> str | bytes:
    kind = rng.random()
    if kind < 0.1:
        return rng.randbytes(rng.randint(0, 64))
    frame = {"type": rng.choice(types)}
    frame.update((rng.choice(FIELDS), _random_value(rng)) for _ in range(rng.randint(0, 5)))
    text = json.dumps(frame)
    if kind < 0.2:
        return text[: rng.randint(0, len(text))]  # cut short
    return text


async def test_random_frames_never_fail_the_server_and_the_socket_survives(
    daphne_server, django_user_model
):
    user, room = await sync_to_async(_member_of_a_room)(django_user_model)
    rng = random.Random(15)  # derandomized: a failure replays the same frames
    types = sorted({*registered_types(), "ping", "resume", "hello", "nope"})
    codes = set()
    for batch in range(3):  # 20 frames and their pings per socket: within its burst
        async with await ws_connect(daphne_server, user) as ws:
            await ws.recv_until("hello")
            for _ in range(20):
                data = _random_frame(rng, types)
                await ws.connection.send(data)
                await ws.send_json({"type": "ping"})
                ws.skipped.clear()
                await ws.recv_until("pong")
                codes |= {f["code"] for f in ws.skipped if f.get("type") == "error"}
            await ws.send_json({"type": "chat.send", "room": room, "body": "still here",
                                "client_id": f"random-{batch}"})
            assert (await ws.recv_until("ack"))["client_id"] == f"random-{batch}"
            assert ws.close_code is None
    assert "bad_request" in codes
    assert not codes & {"internal", "rate_limited"}, codes
