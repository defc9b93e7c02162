import re

import pytest
from django.test import Client

from collab.accounts.services import create_token
from realtime.chat.models import Message, Room

from .helpers import png_bytes, upload

pytestmark = pytest.mark.django_db

API = "/api/v1/chat"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_rooms_and_list_them_with_unread_counts(alice, bob):
    a, b = client_for(alice), client_for(bob)
    r = a.post(
        f"{API}/rooms",
        {"kind": "public", "name": "general", "members": ["bob"]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    room = r.json()
    assert room["kind"] == "public" and room["role"] == "owner" and room["id"]
    dm = a.post(f"{API}/rooms", {"kind": "dm", "members": ["bob"]}, content_type="application/json")
    assert dm.status_code == 201
    assert sorted(m["username"] for m in dm.json()["members"]) == ["alice", "bob"]
    for i in range(3):
        r = a.post(
            f"{API}/rooms/{room['id']}/messages",
            {"body": f"hi {i}", "client_id": f"c{i}"},
            content_type="application/json",
        )
        assert r.status_code == 201
    listing = b.get(f"{API}/rooms").json()
    assert listing["count"] == 2
    unread = {r["id"]: r["unread"] for r in listing["items"]}
    assert unread == {room["id"]: 3, dm.json()["id"]: 0}


def test_send_is_idempotent_over_rest(alice):
    a = client_for(alice)
    room = a.post(
        f"{API}/rooms", {"kind": "private", "name": "p"}, content_type="application/json"
    ).json()
    url = f"{API}/rooms/{room['id']}/messages"
    first = a.post(url, {"body": "once", "client_id": "same"}, content_type="application/json")
    second = a.post(url, {"body": "once", "client_id": "same"}, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Message.objects.count() == 1


def test_outsider_gets_403_and_learns_nothing(alice, carol):
    a, c = client_for(alice), client_for(carol)
    room = a.post(
        f"{API}/rooms", {"kind": "private", "name": "secret"}, content_type="application/json"
    ).json()
    a.post(
        f"{API}/rooms/{room['id']}/messages",
        {"body": "classified"},
        content_type="application/json",
    )
    missing = room["id"] + 999
    answers = []
    for rid in (room["id"], missing):
        for method, suffix, body in [
            ("get", "", None),
            ("get", "/messages", None),
            ("post", "/messages", {"body": "x"}),
            ("post", "/join", {}),
            ("get", "/mentions", None),
        ]:
            url = f"{API}/rooms/{rid}{suffix}"
            r = getattr(c, method)(url, body, content_type="application/json")
            answers.append((method, suffix, r.status_code, r.json()))
    half = len(answers) // 2
    assert answers[:half] == answers[half:]
    assert all(status == 403 for _, _, status, _ in answers)
    assert "classified" not in str(answers)
    assert c.get(f"{API}/rooms").json()["count"] == 0
    assert c.get(f"{API}/rooms/public").json()["count"] == 0


def test_history_paging_and_jump(alice):
    a = client_for(alice)
    room = a.post(
        f"{API}/rooms", {"kind": "public", "name": "g"}, content_type="application/json"
    ).json()
    url = f"{API}/rooms/{room['id']}/messages"
    ids = [
        a.post(url, {"body": f"{i}"}, content_type="application/json").json()["id"]
        for i in range(10)
    ]
    assert [m["id"] for m in a.get(url, {"limit": 3}).json()["items"]] == ids[-3:]
    assert [m["id"] for m in a.get(url, {"before": ids[5], "limit": 3}).json()["items"]] == ids[2:5]
    assert [m["id"] for m in a.get(url, {"around": ids[4], "limit": 4}).json()["items"]] == ids[2:6]
    bad = a.get(url, {"before": "abc"})
    assert bad.status_code == 422 and "before" in bad.json()["message"]


def test_history_is_a_fixed_number_of_queries(alice, bob, django_assert_max_num_queries):
    a = client_for(alice)
    room = a.post(
        f"{API}/rooms",
        {"kind": "public", "name": "g", "members": ["bob"]},
        content_type="application/json",
    ).json()
    url = f"{API}/rooms/{room['id']}/messages"
    for i in range(20):
        mid = a.post(url, {"body": f"{i}"}, content_type="application/json").json()["id"]
        a.post(f"{API}/messages/{mid}/reactions", {"emoji": "👍"}, content_type="application/json")
    with django_assert_max_num_queries(8):
        r = a.get(url, {"limit": 20})
    assert len(r.json()["items"]) == 20


def test_edit_delete_react_pin_read_mute_over_rest(alice, bob):
    a, b = client_for(alice), client_for(bob)
    room = a.post(
        f"{API}/rooms",
        {"kind": "public", "name": "g", "members": ["bob"]},
        content_type="application/json",
    ).json()
    mid = a.post(
        f"{API}/rooms/{room['id']}/messages", {"body": "v1"}, content_type="application/json"
    ).json()["id"]
    assert (
        b.patch(
            f"{API}/messages/{mid}", {"body": "no"}, content_type="application/json"
        ).status_code
        == 403
    )
    edited = a.patch(f"{API}/messages/{mid}", {"body": "v2"}, content_type="application/json")
    assert edited.json()["body"] == "v2" and edited.json()["edited"]
    history = b.get(f"{API}/messages/{mid}/history").json()
    assert [h["body"] for h in history["items"]] == ["v1"]
    r = b.post(f"{API}/messages/{mid}/reactions", {"emoji": "🙏"}, content_type="application/json")
    assert r.json() == {"reactions": {"🙏": ["bob"]}}
    assert b.delete(f"{API}/messages/{mid}/reactions?emoji=🙏").json() == {"reactions": {}}
    assert b.post(
        f"{API}/messages/{mid}/pin", {"value": True}, content_type="application/json"
    ).json() == {"pinned": True}
    assert b.get(f"{API}/rooms/{room['id']}/pins").json()["count"] == 1
    assert b.post(
        f"{API}/rooms/{room['id']}/read", {"message": mid}, content_type="application/json"
    ).json() == {"last_read_id": mid, "unread": 0}
    assert b.post(
        f"{API}/rooms/{room['id']}/mute", {"value": True}, content_type="application/json"
    ).json() == {"muted": True}
    assert b.delete(f"{API}/messages/{mid}").status_code == 403
    assert a.delete(f"{API}/messages/{mid}").status_code == 204
    gone = b.get(f"{API}/rooms/{room['id']}/messages").json()["items"][0]
    assert gone["deleted"] and gone["body"] == "" and gone["reactions"] == {}


def test_bearer_token_works_and_bad_input_is_precise(alice):
    token = create_token(user=alice, name="test")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    r = c.post(f"{API}/rooms", {"kind": "public", "name": "tok"}, content_type="application/json")
    assert r.status_code == 201
    bad = c.post(f"{API}/rooms", {"kind": "planet", "name": "x"}, content_type="application/json")
    assert bad.status_code == 422 and "kind" in bad.json()["message"]
    unknown = c.post(
        f"{API}/rooms",
        {"kind": "public", "name": "x", "members": ["ghost"]},
        content_type="application/json",
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "members"
    assert "ghost" in unknown.json()["message"]
    empty = c.post(
        f"{API}/rooms/{r.json()['id']}/messages", {"body": "  "}, content_type="application/json"
    )
    assert empty.status_code == 422 and empty.json()["field"] == "body"
    assert Room.objects.count() == 1
    assert Client().get(f"{API}/rooms").status_code == 401


def test_files_are_served_only_to_members(alice, bob, carol):
    a, b, c = client_for(alice), client_for(bob), client_for(carol)
    room = a.post(
        f"{API}/rooms",
        {"kind": "private", "name": "files", "members": ["bob"]},
        content_type="application/json",
    ).json()
    r = a.post(
        f"{API}/rooms/{room['id']}/files",
        {"file": upload("scan.png", png_bytes()), "body": "the scan", "client_id": "f1"},
    )
    assert r.status_code == 201, r.content
    att = r.json()["attachments"][0]
    assert att["content_type"] == "image/png" and att["thumbnail_url"]
    got = b.get(att["url"])
    assert got.status_code == 200 and b"".join(got.streaming_content) == png_bytes()
    assert b.get(att["thumbnail_url"]).status_code == 200
    assert c.get(att["url"]).status_code == 403
    assert c.get(att["url"].replace(str(att["id"]), str(att["id"] + 50))).status_code == 403
    bad = a.post(f"{API}/rooms/{room['id']}/files", {"file": upload("x.pdf", b"MZ" + b"0" * 64)})
    assert bad.status_code == 415 and bad.json()["code"] == "unsupported_type"


def test_mention_autocomplete_endpoint(alice, bob):
    a = client_for(alice)
    room = a.post(
        f"{API}/rooms",
        {"kind": "public", "name": "g", "members": ["bob"]},
        content_type="application/json",
    ).json()
    r = a.get(f"{API}/rooms/{room['id']}/mentions", {"q": "បូ"}).json()
    assert [p["username"] for p in r["items"]] == ["bob"]
    r = a.get(f"{API}/rooms/{room['id']}/mentions", {"q": "ro"}).json()
    assert [p["username"] for p in r["items"]] == ["room"]


def test_rate_limited_over_rest(alice, settings):
    settings.SAHAKAR_CHAT_RATE_BURST = 2
    settings.SAHAKAR_CHAT_RATE_PER_SECOND = 0.2
    a = client_for(alice)
    room = a.post(
        f"{API}/rooms", {"kind": "public", "name": "g"}, content_type="application/json"
    ).json()
    url = f"{API}/rooms/{room['id']}/messages"
    codes = [a.post(url, {"body": "x"}, content_type="application/json") for _ in range(3)]
    assert [r.status_code for r in codes] == [201, 201, 429]
    assert codes[2].json()["code"] == "rate_limited" and codes[2].json()["retry_after"] > 0
    assert int(codes[2]["Retry-After"]) >= 1


def test_chat_page_needs_login(alice):
    assert Client().get("/chat/").status_code == 302
    page = client_for(alice).get("/chat/rooms/5/")
    assert page.status_code == 200
    assert re.search(r'src="/static/chat/chat(\.[0-9a-f]{12})?\.js"', page.content.decode())
    assert 'id="chat-strings"' in page.content.decode()
