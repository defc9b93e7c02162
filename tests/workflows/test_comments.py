"""Comments on a request's timeline, with @mentions of the people taking part."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from collab.accounts.models import Profile
from collab.notifications.models import Notification
from collab.workflows import services
from collab.workflows.models import Entry, Step

from .conftest import LEAVE

pytestmark = pytest.mark.django_db


@pytest.fixture
def leave(world):
    return services.start_request(person=world.nurse, definition=world.leave, data=LEAVE)


def _told(username: str) -> list[str]:
    return list(
        Notification.objects.filter(inbox_entries__user__username=username,
                                    event_type="workflow.comment")
        .values_list("message_en", flat=True)
    )


def test_a_comment_tells_everyone_taking_part_but_its_author(world, leave):
    entry = services.comment(person=world.head, request=leave, text="Who covers you? @nurse")
    assert (entry.kind, entry.person, entry.reason) == (
        Entry.Kind.COMMENTED, world.head, "Who covers you? @nurse")
    assert _told("nurse") == [f"Centrehead Test commented on Leave request #{leave.pk}"]
    assert _told("centrehead") == []


def test_mentioning_someone_who_cannot_see_the_request_writes_nothing(world, leave):
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.comment(person=world.nurse, request=leave, text="@deputy please cover me")
    assert "@deputy cannot see this request" in refused.value.message_dict["text"][0]
    assert not leave.entries.filter(kind=Entry.Kind.COMMENTED).exists()
    assert not Notification.objects.filter(event_type="workflow.comment").exists()


def test_an_outsider_cannot_comment(world, leave):
    with pytest.raises(PermissionDenied):
        services.comment(person=world.deputy, request=leave, text="Hello")


def test_the_request_page_takes_comments_and_shows_errors_in_khmer(world, leave, client):
    client.force_login(world.nurse.user)
    url = f"/workflows/requests/{leave.pk}/"
    done = client.post(url, {"action": "comment", "text": "ថ្ងៃទី ២០ ខ្ញុំនៅផ្ទះ"}, follow=True)
    assert 'data-kind="commented"' in done.content.decode()
    assert "ថ្ងៃទី ២០ ខ្ញុំនៅផ្ទះ" in done.content.decode()
    Profile.objects.filter(user=world.nurse.user).update(language="km")
    client.force_login(world.nurse.user)  # the profile's language is taken at sign-in
    refused = client.post(url, {"action": "comment", "text": "@deputy"})
    assert refused.status_code == 422
    assert "មិនអាចមើលសំណើនេះបានទេ" in refused.content.decode()
    # The open step was not touched by either post.
    assert leave.steps.get().status == Step.Status.OPEN
