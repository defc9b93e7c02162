"""The lobby keeps out who it should: a denied person stays out, someone waiting learns
nobody's name (a consultation's patient waits under their own name)."""

import pytest

from collab.core.errors import ServiceError
from realtime.calls.models import Participant
from realtime.calls.services import create_meeting, decide, join, leave
from realtime.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def host_and_stranger(django_user_model):
    users = django_user_model.objects
    return users.create_user("host", password="x"), users.create_user("stranger", password="x")


def test_a_denied_person_cannot_leave_their_way_back_into_the_lobby(host_and_stranger):
    host, stranger = host_and_stranger
    meeting = create_meeting(host=host, title="Clinic", lobby=True)
    join(meeting_id=meeting.pk, user=stranger)
    decide(meeting_id=meeting.pk, host=host, user_id=stranger.pk, admit=False)

    with pytest.raises(ServiceError) as refused:
        leave(meeting_id=meeting.pk, user=stranger)
    assert (refused.value.code, refused.value.status) == ("forbidden", 403)
    with pytest.raises(ServiceError):
        join(meeting_id=meeting.pk, user=stranger)
    assert Participant.objects.get(user=stranger).state == Participant.State.DENIED
    assert Event.objects.filter(type="call.waiting").count() == 1  # the host was asked once


def test_leave_is_refused_to_who_never_joined_and_idempotent_for_who_did(host_and_stranger):
    host, stranger = host_and_stranger
    meeting = create_meeting(host=host, title="Clinic", lobby=True)
    with pytest.raises(ServiceError) as refused:
        leave(meeting_id=meeting.pk, user=stranger)
    assert (refused.value.code, refused.value.status) == ("forbidden", 403)
    assert not Participant.objects.filter(user=stranger).exists()

    join(meeting_id=meeting.pk, user=host)
    leave(meeting_id=meeting.pk, user=host)
    leave(meeting_id=meeting.pk, user=host)  # a second hang-up (page closing) is no error
    assert Participant.objects.get(user=host).state == Participant.State.LEFT


def test_someone_waiting_sees_nobody_in_the_call_until_admitted(host_and_stranger):
    host, stranger = host_and_stranger
    meeting = create_meeting(host=host, title="Clinic", lobby=True)
    join(meeting_id=meeting.pk, user=host)

    waiting = join(meeting_id=meeting.pk, user=stranger)
    assert (waiting["state"], waiting["participants"]) == ("waiting", [])

    decide(meeting_id=meeting.pk, host=host, user_id=stranger.pk, admit=True)
    admitted = join(meeting_id=meeting.pk, user=stranger)
    assert {p["user"] for p in admitted["participants"]} == {host.pk, stranger.pk}
