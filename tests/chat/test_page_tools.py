"""Server-side parts of the chat page's room tools: people picker, meeting button, settings."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from collab.accounts.services import set_language
from realtime.chat import services
from realtime.chat.models import Membership

pytestmark = pytest.mark.django_db

API = "/api/v1/chat"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_people_picker_finds_anyone_by_latin_or_khmer_name_but_not_me(alice, bob, carol):
    a = client_for(alice)
    # Nobody shares a room with alice: the picker is organisation-wide, unlike @mentions.
    assert [p["username"] for p in a.get(f"{API}/people", {"q": "សុខ"}).json()["items"]] == ["bob"]
    assert [p["username"] for p in a.get(f"{API}/people", {"q": "keo"}).json()["items"]] == [
        "carol"
    ]
    assert a.get(f"{API}/people", {"q": "alice"}).json()["items"] == []
    assert a.get(f"{API}/people", {"q": ""}).json() == {"items": [], "count": 0}
    bob.is_active = False
    bob.save()
    assert a.get(f"{API}/people", {"q": "bob"}).json()["items"] == []
    assert Client().get(f"{API}/people", {"q": "bob"}).status_code == 401


def test_people_picker_is_a_fixed_number_of_queries(
    alice, make_user, django_assert_max_num_queries
):
    for i in range(15):
        make_user(f"nurse{i}", en=f"Nurse N{i}", km=f"គិលានុបដ្ឋាយិកា {i}")
    a = client_for(alice)
    a.get(f"{API}/people", {"q": "x"})  # session and auth warm-up
    with django_assert_max_num_queries(4):
        items = a.get(f"{API}/people", {"q": "nurse"}).json()["items"]
    assert len(items) == 8


def test_start_a_meeting_form_posts_to_the_calls_url_for_the_room(alice):
    room = services.create_room(creator=alice, kind="public", name="ward")
    page = client_for(alice).get(f"/chat/rooms/{room.pk}/").content.decode()
    action = reverse("calls:start_from_room", args=[room.pk])
    assert re.search(rf'<form method="post" id="chat-meeting"[^>]*action="{action}"', page)
    assert 'name="csrfmiddlewaretoken"' in page
    # The JS fills the action for rooms opened without a reload from this pattern.
    assert f'data-meeting-url="{reverse("calls:start_from_room", args=[0])}"' in page


def test_room_tools_and_their_strings_are_translated_to_khmer(alice):
    set_language(user=alice, language="km")  # the profile's language wins at login
    page = client_for(alice).get("/chat/").content.decode()
    strings = json.loads(re.search(r'id="chat-strings"[^>]*>(.*?)</script>', page, re.S).group(1))
    for key in ("save", "cancel", "history", "pins_empty", "role_owner", "pick_someone"):
        assert strings[key] and not strings[key].isascii(), key
    assert "ចាប់ផ្តើមកិច្ចប្រជុំ" in page  # "Start a meeting"
    assert "សារផ្ទាល់ថ្មី" in page  # "New direct message"


def test_settings_changes_roles_invites_and_removes_only_for_those_allowed(alice, bob, carol):
    a, b = client_for(alice), client_for(bob)
    room = a.post(
        f"{API}/rooms", {"kind": "private", "name": "leads"}, content_type="application/json"
    ).json()
    base = f"{API}/rooms/{room['id']}"
    # Invite (owner), then bob as a plain member may not invite, rename or remove.
    r = a.post(f"{base}/members", {"usernames": ["bob"]}, content_type="application/json")
    assert r.json() == {"added": ["bob"]}
    r = b.post(f"{base}/members", {"usernames": ["carol"]}, content_type="application/json")
    assert r.status_code == 403
    r = b.patch(base, {"topic": "mine now"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    # Owner makes bob a moderator: now he can edit the topic and archive, but not set roles.
    r = a.put(f"{base}/members/bob/role", {"role": "moderator"}, content_type="application/json")
    assert r.json() == {"username": "bob", "role": "moderator"}
    r = b.patch(base, {"topic": "Night shift", "archived": True}, content_type="application/json")
    assert r.status_code == 200 and r.json()["topic"] == "Night shift" and r.json()["archived"]
    r = b.put(f"{base}/members/alice/role", {"role": "member"}, content_type="application/json")
    assert r.status_code == 403
    # Bad input is refused precisely and changes nothing.
    r = a.patch(base, {"name": "x" * 121}, content_type="application/json")
    assert r.status_code == 422 and "name" in json.dumps(r.json())
    r = a.put(f"{base}/members/bob/role", {"role": "boss"}, content_type="application/json")
    assert r.status_code == 422
    assert Membership.objects.get(room_id=room["id"], user=bob).role == "moderator"
    assert a.get(base).json()["name"] == "leads"
    r = a.patch(base, {"topic": "t" * 251}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    assert a.get(base).json()["topic"] == "Night shift"
    # The last owner cannot demote themselves; a moderator cannot remove an owner.
    r = a.put(f"{base}/members/alice/role", {"role": "member"}, content_type="application/json")
    assert r.status_code == 422
    assert b.delete(f"{base}/members/alice").status_code == 403
    assert Membership.objects.get(room_id=room["id"], user=alice).role == "owner"
    # A moderator removes a member; the removed person then learns nothing about the room.
    a.post(f"{base}/members", {"usernames": ["carol"]}, content_type="application/json")
    assert b.delete(f"{base}/members/carol").status_code == 204
    assert client_for(carol).get(base).status_code == 403


def test_edit_history_lists_earlier_versions_for_members_only(alice, bob, carol):
    room = services.create_room(creator=alice, kind="private", name="p", members=[bob])
    msg, _created = services.send_message(author=alice, room_id=room.pk, body="first *draft*")
    services.edit_message(user=alice, message_id=msg.pk, body="second")
    services.edit_message(user=alice, message_id=msg.pk, body="third")
    data = client_for(bob).get(f"{API}/messages/{msg.pk}/history").json()
    assert [e["body"] for e in data["items"]] == ["first *draft*", "second"]
    assert data["current"]["body"] == "third" and data["current"]["edited"]
    assert client_for(carol).get(f"{API}/messages/{msg.pk}/history").status_code == 403
