from django.db.models import Q

from .models import Invitation, Meeting, Participant


def meeting_streams(user_ids: list[int]) -> dict[int, list[str]]:
    """{user id: streams of the meetings whose signalling the user may receive}: hosted,
    invited to, or admitted into (never while waiting or after a denial)."""
    open_meetings = Meeting.objects.filter(ended__isnull=True)
    pairs = set(open_meetings.filter(host_id__in=user_ids).values_list("host_id", "pk"))
    pairs |= set(
        Invitation.objects.filter(user_id__in=user_ids, meeting__in=open_meetings).values_list(
            "user_id", "meeting_id"
        )
    )
    pairs |= set(
        Participant.objects.filter(
            user_id__in=user_ids, state=Participant.State.ADMITTED, meeting__in=open_meetings
        ).values_list("user_id", "meeting_id")
    )
    streams: dict[int, list[str]] = {}
    for user_id, meeting_id in sorted(pairs):
        streams.setdefault(user_id, []).append(f"calls.meeting.{meeting_id}")
    return streams


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


def meetings_for(*, user):
    return (
        Meeting.objects.filter(ended__isnull=True)
        .filter(Q(host=user) | Q(invitations__user=user))
        .distinct()
        .order_by("-created")
    )


def can_open(*, user, meeting: Meeting) -> bool:
    """The page opens for the host and invitees; a lobby meeting opens for anyone signed in
    (they wait there); a denied person is shown nothing."""
    if meeting.ended is not None:
        return False
    if is_invited(meeting=meeting, user_id=user.pk):
        return True
    if meeting.participants.filter(user=user, state=Participant.State.DENIED).exists():
        return False
    return (
        meeting.lobby
        or meeting.participants.filter(user=user, state=Participant.State.ADMITTED).exists()
    )


def directory_users(*, keys: list[str]) -> tuple[list, list[str]]:
    """Users of the people named by employee id or email; and the keys that matched nobody."""
    from collab.directory.models import Person

    people = Person.objects.filter(
        Q(employee_id__in=keys) | Q(email__in=keys), active=True, user__isnull=False
    ).select_related("user")
    found = {p.employee_id: p.user for p in people} | {p.email: p.user for p in people}
    return list({u.pk: u for u in found.values()}.values()), [k for k in keys if k not in found]
