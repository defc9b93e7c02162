"""Who hears about a message while away: offline people who are mentioned or in a DM.

Called inside the message's transaction, so the notification commits with it. The text
says who wrote where, never what (a chat body may hold patient details).
"""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from collab.directory.models import Person
from collab.notifications.services import Text, emit

from . import presence
from .models import Membership, Message, Room

ROOM_MENTION_LIMIT = 100  # @room in bigger rooms notifies nobody offline (too noisy)


def after_message(*, message: Message, room: Room) -> None:
    targets = _targets(message=message, room=room)
    if not targets:
        return
    status = presence.statuses(targets)
    offline = [uid for uid in targets if status[uid] != "online"]
    people = list(Person.objects.filter(user_id__in=offline, user__is_active=True))
    if not people:
        return
    author = getattr(message.author, "person", None)

    def name() -> str:  # the author's name in the language being rendered
        if author is None:
            return message.author.get_username()
        return (author.name_km or author.name_en) if get_language() == "km" else author.name_en

    if room.is_direct:
        event_type = "chat.direct"
        text = Text(_("%(name)s sent you a message"), name=name)
    else:
        event_type = "chat.mention"
        text = Text(_("%(name)s mentioned you in %(where)s"), name=name,
                    where=room.name or _("a direct message"))
    emit(
        event_type=event_type,
        event_key=f"chat.message:{message.pk}",
        people=people,
        message=text,
        url=f"/chat/rooms/{room.pk}/#message-{message.pk}",
    )


def _targets(*, message: Message, room: Room) -> list[int]:
    members = Membership.objects.filter(room=room).exclude(user_id=message.author_id)
    if room.is_direct:
        return list(members.values_list("user_id", flat=True))
    if message.mentions_room:
        # Muted rooms still notify a personal @mention, not an @room.
        unmuted = members.filter(muted=False)
        if unmuted.count() <= ROOM_MENTION_LIMIT:
            ids = set(unmuted.values_list("user_id", flat=True))
            if message.mentions:
                ids |= set(
                    members.filter(user__username__in=message.mentions).values_list(
                        "user_id", flat=True
                    )
                )
            return sorted(ids)
    if message.mentions:
        return list(
            members.filter(user__username__in=message.mentions).values_list("user_id", flat=True)
        )
    return []
