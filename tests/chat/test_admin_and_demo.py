import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from realtime.chat import demo, presence, services
from realtime.chat.models import Message, Room

from .helpers import png_bytes, upload

pytestmark = pytest.mark.django_db


def test_admin_exports_a_room_as_zip_with_messages_and_files(alice, bob):
    room = services.create_room(creator=alice, kind="private", name="records", members=[bob])
    first, _ = services.send_message(author=alice, room_id=room.pk, body="v1")
    services.edit_message(user=alice, message_id=first.pk, body="v2 ខ្មែរ")
    services.send_message(
        author=bob, room_id=room.pk, body="scan", upload=upload("scan.png", png_bytes())
    )
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/chat/room/", {"action": "export_zip", "_selected_action": [room.pk]}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read(f"room-{room.pk}/messages.json"))
    assert data["room"]["name"] == "records"
    assert [(m["author"], m["body"]) for m in data["messages"]] == [
        ("alice", "v2 ខ្មែរ"),
        ("bob", "scan"),
    ]
    assert data["messages"][0]["previous_versions"][0]["body"] == "v1"
    assert data["messages"][0]["author_name_km"] == "ចាន់ អាលីស"
    path = data["messages"][1]["attachments"][0]["path"]
    assert archive.read(path) == png_bytes()


def test_admin_pages_open(alice):
    room = services.create_room(creator=alice, kind="public", name="g")
    services.send_message(author=alice, room_id=room.pk, body="x")
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(admin)
    for url in ["/admin/chat/room/", f"/admin/chat/room/{room.pk}/change/", "/admin/chat/message/"]:
        assert client.get(url).status_code == 200, url


def test_demo_data_is_idempotent(make_user):
    for name in ["manager", "doctor", "nurse", "trainee"]:
        make_user(name)
    demo.seed()
    counts = (Room.objects.count(), Message.objects.count())
    demo.seed()
    assert (Room.objects.count(), Message.objects.count()) == counts
    assert counts[1] == len(demo.MESSAGES)
    assert any("ស" in m.body for m in Message.objects.all())


def test_presence_is_coalesced(alice, bob):
    services.create_room(creator=alice, kind="public", name="g", members=[bob])
    assert presence.heartbeat(user=alice) is True
    assert presence.heartbeat(user=alice) is False  # same status: no frame
    assert presence.heartbeat(user=alice, status="away") is True
    assert presence.statuses([alice.pk, bob.pk]) == {alice.pk: "away", bob.pk: "offline"}
    assert presence.heartbeat(user=alice, status="offline") is True
    assert presence.heartbeat(user=alice, status="offline") is False
