"""Search types of chat. Messages: only members of a message's room find it (any kind of
room). Rooms (name, topic, description): everyone finds open channels, members find their
private ones; direct conversations have no name and are not indexed.

Filter: a message or private room carries ``room_<id>``; a user holds the tokens of the rooms
they are a member of now. Verification asks the chat tables again.
"""

from django.utils.translation import gettext_lazy as _
from haystack import indexes

from collab.search.indexes import EVERYONE, SahakarIndex, url_or
from realtime.chat.models import Membership, Message, Room
from realtime.chat.selectors import OPEN_KINDS, findable_room_ids


def _room_tokens(user) -> set[str]:
    if not (user.is_authenticated and user.is_active):
        return set()
    rooms = Membership.objects.filter(user=user).values_list("room_id", flat=True)
    return {f"room_{pk}" for pk in rooms}


class RoomIndex(SahakarIndex, indexes.Indexable):
    type_key = "room"
    type_label = _("Chat rooms")

    def get_model(self):
        return Room

    def index_queryset(self, using=None):
        return Room.objects.filter(kind__in=[*OPEN_KINDS, Room.Kind.PRIVATE]).exclude(name="")

    def title_en(self, obj) -> str:
        return obj.name

    def body(self, obj) -> str:
        return "\n".join(p for p in (obj.topic, obj.description) if p)

    def url_of(self, obj) -> str:
        return url_or("chat:room", obj.pk, fallback=f"/chat/rooms/{obj.pk}/")

    def access_tokens(self, obj) -> list[str]:
        open_room = obj.kind in OPEN_KINDS and not obj.archived
        return [EVERYONE] if open_room else [f"room_{obj.pk}"]

    def user_tokens(self, user) -> set[str]:
        return super().user_tokens(user) | _room_tokens(user)

    def visible_ids(self, user, ids):
        return {str(pk) for pk in findable_room_ids(user=user, ids=ids)}


class MessageIndex(SahakarIndex, indexes.Indexable):
    type_key = "message"
    type_label = _("Messages")

    def get_model(self):
        return Message

    def index_queryset(self, using=None):
        return Message.objects.filter(deleted__isnull=True).select_related("room", "author__person")

    def title_en(self, obj) -> str:
        person = getattr(obj.author, "person", None)
        author = person.name_en if person else obj.author.get_username()
        return f"{author} — {obj.room}"

    def title_km_of(self, obj) -> str:
        person = getattr(obj.author, "person", None)
        return f"{person.name_km} — {obj.room}" if person and person.name_km else ""

    def body(self, obj) -> str:
        return obj.body

    def url_of(self, obj) -> str:
        room = url_or("chat:room", obj.room_id, fallback=f"/chat/rooms/{obj.room_id}/")
        return f"{room}#message-{obj.pk}"

    def access_tokens(self, obj) -> list[str]:
        return [f"room_{obj.room_id}"]

    def user_tokens(self, user) -> set[str]:
        return _room_tokens(user)

    def visible_ids(self, user, ids):
        qs = Message.objects.filter(
            pk__in=ids, deleted__isnull=True, room__memberships__user=user
        ).values_list("pk", flat=True)
        return {str(pk) for pk in qs}
