"""Meeting writes and signalling. Signalling frames are ephemeral (never stored); joining,
waiting, admission and denial are durable stream events so nobody misses them."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collab.core.errors import ServiceError
from collab.core.formatting import when
from collab.notifications.attachments import Attachment, register_attachments
from collab.notifications.services import Text, emit
from realtime.services import notify_stream_membership, publish, send_ephemeral

from . import selectors
from .ice import ice_servers
from .models import Invitation, Meeting, Participant
from .signals import participant_admitted

SIGNAL_TYPES = ("call.offer", "call.answer", "call.ice")
INVITED = "meeting.invited"
MAX_SDP_CHARS = 60_000


def create_meeting(
    *,
    host: AbstractBaseUser,
    title: str,
    invitees: Iterable[AbstractBaseUser] = (),
    kind: str = Meeting.Kind.MEETING,
    lobby: bool = False,
    room=None,
    scheduled_for=None,
) -> Meeting:
    with transaction.atomic():
        meeting = Meeting.objects.create(
            host=host, title=title, kind=kind, lobby=lobby, room=room, scheduled_for=scheduled_for
        )
        Invitation.objects.bulk_create(
            [Invitation(meeting=meeting, user=u) for u in invitees if u.pk != host.pk],
            ignore_conflicts=True,
        )
        for user_id in [host.pk, *(u.pk for u in invitees)]:
            notify_stream_membership(user_id=user_id, stream=meeting.stream, joined=True)
    return meeting


def _meeting_for(meeting_id) -> Meeting:
    meeting = Meeting.objects.filter(pk=meeting_id, ended__isnull=True).first()
    if meeting is None:
        # The same answer whether the meeting does not exist or has ended.
        raise ServiceError("not_found", _("No such meeting."))
    return meeting


def join(*, meeting_id: int, user: AbstractBaseUser) -> dict:
    """Enter a meeting: invited people go straight in, others wait in the lobby."""
    with transaction.atomic():
        meeting = _meeting_for(meeting_id)
        existing = Participant.objects.filter(meeting=meeting, user=user).first()
        if existing and existing.state == Participant.State.DENIED:
            raise ServiceError(
                "forbidden", _("The host did not admit you to this meeting."), status=403
            )
        if selectors.is_invited(meeting=meeting, user_id=user.pk) or (
            existing and existing.state == Participant.State.ADMITTED
        ):
            state = Participant.State.ADMITTED
        elif meeting.lobby:
            state = Participant.State.WAITING
        else:
            raise ServiceError("forbidden", _("You are not invited to this meeting."), status=403)
        Participant.objects.update_or_create(
            meeting=meeting, user=user, defaults={"state": state, "hand_raised": False}
        )
        if state == Participant.State.WAITING:
            publish(
                type="call.waiting",
                user_id=meeting.host_id,
                payload={"meeting": meeting.pk, "user": user.pk, "name": _name(user)},
            )
        _broadcast_participants(meeting)
    admitted = state == Participant.State.ADMITTED
    return {
        "type": "call.joined",
        "meeting": meeting.pk,
        "state": state,
        # Who is in the call (a consultation's patient by name) only for who is in it too.
        "participants": selectors.participant_list(meeting=meeting) if admitted else [],
        "ice_servers": ice_servers(user_key=str(user.pk)) if admitted else [],
    }


def decide(*, meeting_id: int, host: AbstractBaseUser, user_id: int, admit: bool) -> None:
    """The host admits or denies someone waiting in the lobby."""
    with transaction.atomic():
        meeting = _meeting_for(meeting_id)
        if meeting.host_id != host.pk:
            raise ServiceError("forbidden", _("Only the host can admit people."), status=403)
        updated = Participant.objects.filter(
            meeting=meeting, user_id=user_id, state=Participant.State.WAITING
        ).update(state=Participant.State.ADMITTED if admit else Participant.State.DENIED)
        if not updated:
            raise ServiceError("not_found", _("Nobody with that id is waiting."))
        if admit:
            notify_stream_membership(user_id=user_id, stream=meeting.stream, joined=True)
            participant_admitted.send(sender=Meeting, meeting=meeting, user_id=user_id)
        publish(
            type="call.admitted" if admit else "call.denied",
            user_id=user_id,
            payload={
                "meeting": meeting.pk,
                "ice_servers": ice_servers(user_key=str(user_id)) if admit else [],
            },
        )
        _broadcast_participants(meeting)


def leave(*, meeting_id: int, user: AbstractBaseUser) -> None:
    """Leave the call or the lobby; leaving twice is no error. Nobody else may: a denied
    person who could "leave" would be back in the lobby on their next join."""
    with transaction.atomic():
        meeting = _meeting_for(meeting_id)
        mine = Participant.objects.filter(meeting=meeting, user=user)
        left = mine.filter(
            state__in=[Participant.State.WAITING, Participant.State.ADMITTED]
        ).update(state=Participant.State.LEFT, hand_raised=False)
        if left:
            _broadcast_participants(meeting)
        elif not mine.filter(state=Participant.State.LEFT).exists():
            raise ServiceError("forbidden", _("You are not in this meeting."), status=403)


def set_flags(*, meeting_id: int, user: AbstractBaseUser, **flags: bool) -> None:
    """Raise/lower a hand, switch to audio-only."""
    with transaction.atomic():
        meeting = _meeting_for(meeting_id)
        updated = Participant.objects.filter(
            meeting=meeting, user=user, state=Participant.State.ADMITTED
        ).update(**flags)
        if not updated:
            raise ServiceError("forbidden", _("Join the meeting first."), status=403)
        _broadcast_participants(meeting)


def relay_signal(*, meeting_id: int, sender: AbstractBaseUser, frame: dict) -> None:
    """Pass an offer, answer or ICE candidate to one admitted participant only."""
    meeting = _meeting_for(meeting_id)
    admitted = selectors.admitted_user_ids(meeting=meeting)
    if sender.pk not in admitted:
        raise ServiceError("forbidden", _("Join the meeting first."), status=403)
    target = frame.get("to")
    if not isinstance(target, int) or target not in admitted or target == sender.pk:
        raise ServiceError("bad_request", _("'to' must be another participant in the call."))
    out = {"type": frame["type"], "meeting": meeting.pk, "from": sender.pk}
    if frame["type"] == "call.ice":
        candidate = frame.get("candidate")
        if candidate is not None and not isinstance(candidate, dict):
            raise ServiceError("bad_request", _("'candidate' must be an object or null."))
        out["candidate"] = candidate
    else:
        sdp = frame.get("sdp")
        if not isinstance(sdp, str) or not sdp.startswith("v=0") or len(sdp) > MAX_SDP_CHARS:
            raise ServiceError("bad_request", _("'sdp' must be a session description."))
        out["sdp"] = sdp
    send_ephemeral(user_id=target, frame=out)


def _broadcast_participants(meeting: Meeting) -> None:
    frame = {
        "type": "call.participants",
        "meeting": meeting.pk,
        "participants": selectors.participant_list(meeting=meeting),
    }
    transaction.on_commit(lambda: send_ephemeral(stream=meeting.stream, frame=frame))


def _name(user) -> str:
    person = getattr(user, "person", None)
    return person.name() if person else user.get_full_name() or user.username


def schedule_meeting(
    *, host: AbstractBaseUser, title: str, scheduled_for, invitee_keys: list[str]
) -> Meeting:
    """Create a meeting for people of the directory; each is told in the app and by an email
    with an .ics invitation, through the notification outbox (retried, sent once)."""
    from django.core.exceptions import ValidationError

    keys = [k.strip() for k in invitee_keys if k.strip()]
    if not keys:
        raise ValidationError({"invitees": _("Invite at least one person.")})
    users, unknown = selectors.directory_users(keys=keys)
    if unknown:
        raise ValidationError(
            {
                "invitees": _("Nobody in the directory has a login for: %(keys)s")
                % {"keys": ", ".join(unknown)}
            }
        )
    with transaction.atomic():
        meeting = create_meeting(
            host=host, title=title.strip(), invitees=users, scheduled_for=scheduled_for
        )
        emit(
            event_type=INVITED,
            event_key=f"{INVITED}:{meeting.pk}",
            people=[u.person for u in users if getattr(u, "person", None)],
            message=Text(
                gettext_lazy("%(host)s invites you to the video meeting “%(title)s”, %(when)s."),
                host=_name(host),
                title=meeting.title,
                when=lambda: when(scheduled_for, "daytime"),
            ),
            url=f"/meetings/{meeting.pk}/",
            channels=["in_app", "email"],
        )
    return meeting


@register_attachments(INVITED)
def _invitation_file(notification, *, link: str) -> list[Attachment]:
    from django.conf import settings

    from .ics import invitation

    meeting = Meeting.objects.select_related("host").get(
        pk=int(notification.event_key.rsplit(":", 1)[1])
    )
    invitees = [i.user for i in meeting.invitations.select_related("user__person")]
    text = invitation(
        meeting=meeting,
        url=link,
        organizer_email=_email(meeting.host) or settings.DEFAULT_FROM_EMAIL,
        attendees=[e for e in (_email(u) for u in invitees) if e],
    )
    return [Attachment("invite.ics", text, "text/calendar; method=REQUEST")]


def _email(user) -> str:
    person = getattr(user, "person", None)
    return (person.email if person and person.email else "") or user.email


def start_from_room(*, user: AbstractBaseUser, room_id: int) -> Meeting:
    """An instant meeting for a chat room's members (only a member may start it)."""
    from realtime.chat.models import Room
    from realtime.chat.selectors import members_of, membership_of

    if membership_of(user_id=user.pk, room_id=room_id) is None:
        raise ServiceError(
            "forbidden", _("Only members of the room can start its meeting."), status=403
        )
    room = Room.objects.get(pk=room_id)
    members = [m.user for m in members_of(room_id=room_id)]
    return create_meeting(
        host=user,
        title=str(room),
        invitees=members,
        room=room,
    )
