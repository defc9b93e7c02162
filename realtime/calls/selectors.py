from django.db.models import Q

from .models import Meeting, Participant


def meeting_streams(user_id: int) -> list[str]:
    """Streams of the meetings whose signalling the user may receive:
    hosted, invited to, or admitted into (never while waiting or after a denial)."""
    ids = (
        Meeting.objects.filter(ended__isnull=True)
        .filter(
            Q(host_id=user_id)
            | Q(invitations__user_id=user_id)
            | Q(participants__user_id=user_id, participants__state=Participant.State.ADMITTED)
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    return [f"calls.meeting.{pk}" for pk in ids]


def is_invited(*, meeting: Meeting, user_id: int) -> bool:
    return meeting.host_id == user_id or meeting.invitations.filter(user_id=user_id).exists()


def admitted_user_ids(*, meeting: Meeting) -> set[int]:
    return set(
        meeting.participants.filter(state=Participant.State.ADMITTED).values_list(
            "user_id", flat=True
        )
    )


def participant_list(*, meeting: Meeting) -> list[dict]:
    rows = (
        meeting.participants.filter(
            state__in=[Participant.State.ADMITTED, Participant.State.WAITING]
        )
        .select_related("user", "user__person")
        .order_by("pk")
    )
    return [
        {
            "user": p.user_id,
            "name": _display_name(p.user),
            "state": p.state,
            "hand_raised": p.hand_raised,
            "audio_only": p.audio_only,
            "host": p.user_id == meeting.host_id,
        }
        for p in rows
    ]


def _display_name(user) -> str:
    person = getattr(user, "person", None)
    return person.name() if person else user.get_full_name() or user.username
