from django.contrib.auth import get_user_model
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from collab.directory.selectors import search_people

from .conf import PAGE_MAX
from .errors import forbidden
from .models import Membership, Message, Reaction, Room


def membership_of(*, user_id: int, room_id: int) -> Membership | None:
    return (
        Membership.objects.select_related("room").filter(user_id=user_id, room_id=room_id).first()
    )


def require_member(*, user, room_id) -> Membership:
    """The caller's membership, or ServiceError forbidden (same for a missing room)."""
    try:
        room_id = int(room_id)
    except (TypeError, ValueError):
        raise forbidden() from None
    m = membership_of(user_id=user.pk, room_id=room_id) if user.is_authenticated else None
    if m is None:
        raise forbidden()
    return m


def room_streams(user_ids: list[int]) -> dict[int, list[str]]:
    """{user id: streams of the rooms they are a member of}."""
    streams: dict[int, list[str]] = {}
    rows = Membership.objects.filter(user_id__in=user_ids).values_list("user_id", "room_id")
    for user_id, room_id in rows:
        streams.setdefault(user_id, []).append(f"chat.room.{room_id}")
    return streams


def _unread_subquery(user_id: int):
    unread = (
        Message.objects.filter(
            room_id=OuterRef("room_id"), id__gt=OuterRef("last_read_id"), deleted__isnull=True
        )
        .exclude(author_id=user_id)
        .order_by()
        .values("room_id")
        .annotate(c=Count("id"))
        .values("c")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))


def rooms_of(*, user) -> list[Membership]:
    """The user's memberships with ``unread`` annotated; DM members prefetched."""
    direct_members = Prefetch(
        "room__memberships",
        queryset=Membership.objects.select_related("user__person"),
        to_attr="member_list",
    )
    return list(
        Membership.objects.filter(user=user)
        .select_related("room")
        .annotate(unread=_unread_subquery(user.pk))
        .prefetch_related(direct_members)
        .order_by("room__kind", "room__name", "room_id")
    )


def unread_count(*, membership: Membership) -> int:
    return (
        Message.objects.filter(
            room_id=membership.room_id, id__gt=membership.last_read_id, deleted__isnull=True
        )
        .exclude(author_id=membership.user_id)
        .count()
    )


OPEN_KINDS = (Room.Kind.PUBLIC, Room.Kind.UNIT)  # anyone signed in may find and join these


def findable_room_ids(*, user, ids) -> set[int]:
    """Of ``ids``, the rooms ``user`` may find: open channels that are not archived, and any
    room they are a member of."""
    if not (user.is_authenticated and user.is_active):
        return set()
    open_rooms = Q(kind__in=OPEN_KINDS, archived=False)
    mine = Q(pk__in=Membership.objects.filter(user=user).values("room_id"))
    return set(Room.objects.filter(open_rooms | mine, pk__in=ids).values_list("pk", flat=True))


def public_rooms(*, query: str = "", limit: int = 50) -> list[Room]:
    rooms = Room.objects.filter(kind__in=OPEN_KINDS, archived=False)
    if query:
        rooms = rooms.filter(Q(name__icontains=query) | Q(topic__icontains=query))
    return list(rooms.annotate(member_count=Count("memberships"))[:limit])


def _message_qs():
    return (
        Message.objects.select_related("author__person")
        .prefetch_related(
            Prefetch("reactions", queryset=Reaction.objects.select_related("user")),
            "attachments",
        )
        .annotate(reply_count=Count("replies", filter=Q(replies__deleted__isnull=True)))
    )


def messages_page(
    *,
    room_id: int,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
    thread: int | None = None,
    limit: int = 50,
) -> list[Message]:
    """Oldest first. Without ``thread``: top-level messages; with it: the root and replies."""
    limit = max(1, min(limit, PAGE_MAX))
    qs = _message_qs().filter(room_id=room_id)
    if thread is not None:
        qs = qs.filter(Q(id=thread) | Q(thread_id=thread))
    else:
        qs = qs.filter(thread__isnull=True)
    if around is not None:
        half = limit // 2
        older = list(qs.filter(id__lte=around).order_by("-id")[: half + 1])
        newer = list(qs.filter(id__gt=around).order_by("id")[: limit - len(older)])
        return older[::-1] + newer
    if after is not None:
        return list(qs.filter(id__gt=after).order_by("id")[:limit])
    if before is not None:
        qs = qs.filter(id__lt=before)
    return list(qs.order_by("-id")[:limit])[::-1]


def message_with_details(message_id: int) -> Message | None:
    return _message_qs().filter(id=message_id).first()


def pinned_messages(*, room_id: int) -> list[Message]:
    return list(
        _message_qs().filter(room_id=room_id, pinned_at__isnull=False).order_by("-pinned_at")
    )


def mention_candidates(*, room_id: int, query: str, limit: int = 8) -> list:
    """Room members matching ``query`` by username or by Latin or Khmer name."""
    User = get_user_model()
    q = query.strip().lstrip("@")
    users = User.objects.filter(chat_memberships__room_id=room_id, is_active=True)
    if q:
        people = search_people(q).values("pk")
        users = users.filter(Q(username__icontains=q) | Q(person__in=people))
    return list(users.select_related("person").order_by("username")[:limit])


def people_candidates(*, query: str, exclude_user_id: int, limit: int = 8) -> list:
    """Active people anywhere in the organisation, by username or Latin or Khmer name."""
    q = query.strip().lstrip("@")
    if not q:
        return []
    User = get_user_model()
    people = search_people(q).values("pk")
    users = User.objects.filter(is_active=True).exclude(pk=exclude_user_id)
    users = users.filter(Q(username__icontains=q) | Q(person__in=people))
    return list(users.select_related("person").order_by("username")[:limit])


def members_of(*, room_id: int) -> list[Membership]:
    return list(
        Membership.objects.filter(room_id=room_id)
        .select_related("user__person")
        .order_by(F("role").asc(), "user__username")
    )
