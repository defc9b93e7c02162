"""Typing and presence: ephemeral frames, never stored; presence state lives in the cache.

Presence is coalesced: clients beat every ttl/3 seconds, but a ``presence`` frame goes out
only when someone's status changes (or their last broadcast is about to expire), not on
every beat.
"""

import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from realtime.services import send_ephemeral

from . import conf
from .errors import invalid
from .models import Membership
from .selectors import require_member

STATUSES = ("online", "away", "offline")


def typing(*, user, room_id) -> bool:
    """Tell the room someone is typing, at most once per TYPING_EVERY seconds."""
    me = require_member(user=user, room_id=room_id)
    if not cache.add(conf.cache_key("typing", me.room_id, user.pk), 1, conf.TYPING_EVERY):
        return False
    send_ephemeral(
        stream=me.room.stream,
        frame={"type": "chat.typing", "room": me.room_id, "user": user.username},
    )
    return True


def heartbeat(*, user, status: str = "online") -> bool:
    """Record a beat; returns True if a presence frame was broadcast."""
    if status not in STATUSES:
        raise invalid("status", _("Status must be online, away or offline."))
    ttl = conf.presence_ttl()
    key = conf.cache_key("presence", user.pk)
    now = time.time()
    previous = cache.get(key)
    unchanged = bool(previous) and previous["status"] == status and now - previous["sent"] < ttl / 2
    if status == "offline":
        cache.delete(key)
        unchanged = not previous
    else:
        cache.set(key, {"status": status, "sent": previous["sent"] if unchanged else now}, ttl)
    if unchanged:
        return False
    frame = {"type": "presence", "user": user.username, "status": status, "ttl": ttl}
    for room_id in Membership.objects.filter(user=user).values_list("room_id", flat=True):
        send_ephemeral(stream=f"chat.room.{room_id}", frame=frame)
    return True


def statuses(user_ids) -> dict[int, str]:
    """Current status per user id (offline when no beat is fresh)."""
    keys = {conf.cache_key("presence", uid): uid for uid in user_ids}
    found = cache.get_many(list(keys))
    return {uid: (found.get(key) or {}).get("status", "offline") for key, uid in keys.items()}


def is_online(user_id: int) -> bool:
    return statuses([user_id])[user_id] == "online"
