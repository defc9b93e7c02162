"""/meetings/: schedule with an .ics invitation over real SMTP, start from a chat room,
who may open a meeting page, the pre-join network check."""

import pytest
from django.test import Client

from collab.directory.models import Person
from collab.notifications.delivery import deliver_due
from collab.notifications.models import Recipient
from realtime.calls.ics import invitation
from realtime.calls.models import Invitation, Meeting
from realtime.calls.services import create_meeting
from realtime.chat.services import create_room
from tests.notifications.smtp import SMTPServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 30
        yield server


@pytest.fixture
def people(django_user_model):
    out = {}
    for n, name in enumerate(("host", "vanna", "rith"), start=1):
        user = django_user_model.objects.create_user(name, password="x")
        out[name] = Person.objects.create(
            user=user,
            employee_id=f"E{n}",
            email=f"{name}@moh.example",
            family_name_en=name.title(),
            given_name_en="Test",
        )
    return out


def test_schedule_sends_an_ics_invitation(people, smtp, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(people["host"].user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/meetings/",
            {
                "title": "ការប្រជុំ provincial review",
                "scheduled_for": "2026-12-03T09:30",
                "invitees": "E2, rith@moh.example",
            },
        )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == f"/meetings/{meeting.pk}/"
    assert set(Invitation.objects.values_list("user__username", flat=True)) == {"vanna", "rith"}
    told = Recipient.objects.filter(notification__event_type="meeting.invited")
    assert {r.user.username for r in told} == {"vanna", "rith"}  # in the app, too
    assert not smtp.mailbox.messages  # nothing leaves before the outbox's worker sends it

    assert deliver_due() == 2  # the two emails (in the app went at once)
    assert deliver_due() == 0  # sent once
    messages = smtp.mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["rith@moh.example", "vanna@moh.example"]
    for message in messages:
        assert "ការប្រជុំ provincial review" in message.get_body(("plain",)).get_content()
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content_type() == "text/calendar"
        ics = attachment.get_content()
        assert "METHOD:REQUEST" in ics and f"UID:{meeting.code}@sahakar" in ics
        assert "ATTENDEE;RSVP=TRUE:mailto:vanna@moh.example" in ics
        assert "ATTENDEE;RSVP=TRUE:mailto:rith@moh.example" in ics
        assert f"/meetings/{meeting.pk}/" in ics
        assert "DTSTART:20261203T023000Z" in ics  # 09:30 in Phnom Penh


def test_unknown_invitee_is_named_and_nothing_is_created(people):
    client = Client()
    client.force_login(people["host"].user)
    response = client.post(
        "/meetings/",
        {
            "title": "Review",
            "scheduled_for": "2026-12-03T09:30",
            "invitees": "E2, E404",
        },
    )
    assert response.status_code == 422
    assert b"Nobody in the directory has a login for: E404" in response.content
    assert b"Review" in response.content  # the input is kept
    assert not Meeting.objects.exists()


def test_ics_lines_are_folded_without_splitting_khmer(people):
    meeting = create_meeting(host=people["host"].user, title="ប្រជុំ" * 20)
    meeting.scheduled_for = meeting.created
    text = invitation(
        meeting=meeting, url="https://x/meetings/1/", organizer_email="a@b", attendees=[]
    )
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 76  # 75 plus the continuation space
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:" + "ប្រជុំ" * 20 in unfolded


def test_start_a_meeting_from_a_chat_room(people, django_user_model):
    host, vanna = people["host"].user, people["vanna"].user
    room = create_room(creator=host, kind="private", name="ward-b", members=[vanna])
    client = Client()
    client.force_login(vanna)
    response = client.post(f"/meetings/from-room/{room.pk}/")
    meeting = Meeting.objects.get()
    assert response.url == f"/meetings/{meeting.pk}/"
    assert meeting.room == room and meeting.host == vanna
    assert list(meeting.invitations.values_list("user", flat=True)) == [host.pk]

    outsider = Client()
    outsider.force_login(people["rith"].user)
    assert outsider.post(f"/meetings/from-room/{room.pk}/").status_code == 403
    assert outsider.get(f"/meetings/{meeting.pk}/").status_code == 404
    page = client.get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200
    assert f'data-meeting="{meeting.pk}"'.encode() in page.content
    assert f"/chat/rooms/{room.pk}/".encode() in page.content  # in-call chat


def test_lobby_meeting_page_opens_for_anyone_signed_in(people):
    meeting = create_meeting(host=people["host"].user, title="Clinic", lobby=True)
    client = Client()
    client.force_login(people["rith"].user)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    assert Client().get(f"/meetings/{meeting.pk}/").status_code == 302  # to the login page


def test_network_check_serves_incompressible_bytes(people):
    client = Client()
    client.force_login(people["host"].user)
    response = client.get("/meetings/netcheck/")
    assert len(response.content) == 64 * 1024 and "no-cache" in response["Cache-Control"]
