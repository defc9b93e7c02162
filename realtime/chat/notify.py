"""Who hears about a message while away: offline people who are mentioned or in a DM.

Called inside the message's transaction, so the notification commits with it. The text
says who wrote where, never what (a chat body may hold patient details).
"""

from collab.directory.models import Person
from collab.notifications.services import emit

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
    name_en = author.name_en if author else message.author.get_username()
    name_km = (author.name_km or author.name_en) if author else name_en
    where_en = room.name or "a direct message"
    where_km = room.name or "សារផ្ទាល់"
    if room.is_direct:
        event_type = "chat.direct"
        text = {"en": f"{name_en} sent you a message", "km": f"{name_km} បានផ្ញើសារមកអ្នក"}
    else:
        event_type = "chat.mention"
        text = {
            "en": f"{name_en} mentioned you in {where_en}",
            "km": f"{name_km} បានហៅឈ្មោះអ្នកនៅក្នុង {where_km}",
        }
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
