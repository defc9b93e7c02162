"""Relay frames reach the one Daphne process that holds a meeting's relay.

A meeting's participants may be connected to different Daphne processes, but a relay (its
peer connections and MediaRelay) lives in one. Each process that handles relay frames opens
an inbox channel on the channel layer; the first to handle a frame for a meeting claims it in
the cache (``cache.add``: one winner) and the others send the frames of that meeting to its
inbox. The owner answers each socket through its channel name (``stream.ephemeral``), so the
replies and the relay's later offers reach the right browser wherever it is connected.
The owner renews its claims while it holds the rooms, and every process with an inbox says it
is alive every ALIVE_EVERY seconds. When the owner's process dies its liveness key runs out
after ALIVE_TTL seconds; the next frame for the meeting finds the owner dead and hands the
meeting to one new owner (a take-over key per dead owner: one winner, like the first claim).
The participants then publish and subscribe again: call.js does so when its socket comes back
or its relay connection fails.
"""

import asyncio
import logging

from aiortc.exceptions import InvalidAccessError, InvalidStateError
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from . import janus_rooms, relay
from .janus import JanusError

logger = logging.getLogger(__name__)

OWNER_TTL = 90  # seconds
ALIVE_TTL = 10
ALIVE_EVERY = 3
# What aiortc raises for a session description it cannot use.
SDP_ERRORS = (ValueError, InvalidAccessError, InvalidStateError)

_inbox: str | None = None
_inbox_lock: asyncio.Lock | None = None


def _backend():
    """Janus's VideoRoom when instances are configured, else the embedded aiortc relay."""
    return janus_rooms if settings.SAHAKAR_JANUS_URLS else relay


def _key(meeting_id: int) -> str:
    return f"calls.relay.owner.{meeting_id}"


def _alive_key(inbox: str) -> str:
    return f"calls.relay.alive.{inbox}"


async def route(*, meeting_id: int, user_id: int, reply_to: str, frame: dict) -> None:
    """Hand a checked relay frame (publish, subscribe, answer, leave) to the owner."""
    owner = await cache.aget(_key(meeting_id))
    if owner is None and frame["type"] == "call.relay.leave":
        return  # no relay for this meeting (a mesh call): nothing to leave
    inbox = await _own_inbox()
    if owner is None:
        await cache.aadd(_key(meeting_id), inbox, OWNER_TTL)
        owner = await cache.aget(_key(meeting_id)) or inbox
    elif owner != inbox and await cache.aget(_alive_key(owner)) is None:
        owner = await _take_over(meeting_id=meeting_id, dead=owner, inbox=inbox)
    message = {
        "type": "relay.frame",
        "meeting": meeting_id,
        "user": user_id,
        "reply_to": reply_to,
        "frame": frame,
    }
    await get_channel_layer().send(owner, message)


async def _take_over(*, meeting_id: int, dead: str, inbox: str) -> str:
    """One process, whichever asks first, replaces a dead owner; the others follow it."""
    logger.warning("Relay owner %s of meeting %s is gone; taking over", dead, meeting_id)
    takeover = f"calls.relay.takeover.{meeting_id}.{dead}"
    await cache.aadd(takeover, inbox, OWNER_TTL)
    owner = await cache.aget(takeover) or inbox
    if owner == inbox:
        await cache.aset(_key(meeting_id), inbox, OWNER_TTL)
    return owner


async def _own_inbox() -> str:
    global _inbox, _inbox_lock
    if _inbox is None:
        _inbox_lock = _inbox_lock or asyncio.Lock()
        async with _inbox_lock:
            if _inbox is None:
                layer = get_channel_layer()
                inbox = await layer.new_channel("calls.relay.")
                await cache.aset(_alive_key(inbox), True, ALIVE_TTL)
                asyncio.ensure_future(_serve(layer, inbox))
                asyncio.ensure_future(_keep_alive(inbox))
                _inbox = inbox
    return _inbox


async def _serve(layer, inbox: str) -> None:
    # One frame at a time: a participant's answer must not overtake the offer it answers.
    while True:
        message = await layer.receive(inbox)
        try:
            await _handle(layer, message)
        except Exception:
            logger.exception("Relay frame %s failed", message.get("frame", {}).get("type"))


async def _handle(layer, message: dict) -> None:
    meeting_id, user_id, frame = message["meeting"], message["user"], message["frame"]

    async def reply(out: dict) -> None:
        await layer.send(message["reply_to"], {"type": "stream.ephemeral", "frame": out})

    kind = frame["type"]
    backend = _backend()
    try:
        if kind == "call.relay.publish":
            answer = await backend.publish(
                meeting_id=meeting_id, user_id=user_id, offer_sdp=frame["sdp"]
            )
            await reply({"type": "call.relay.published", "meeting": meeting_id, "sdp": answer})
        elif kind == "call.relay.subscribe":
            await backend.subscribe(meeting_id=meeting_id, user_id=user_id, send=reply)
        elif kind == "call.relay.answer":
            await backend.answer(meeting_id=meeting_id, user_id=user_id, answer_sdp=frame["sdp"])
        else:
            await backend.leave(meeting_id=meeting_id, user_id=user_id)
    except relay.RelayFull:
        await reply(_error("relay_full", _("This meeting's relay is full.")))
    except relay.NoOfferPending:
        await reply(_error("bad_request", _("No relay offer is waiting for an answer.")))
    except SDP_ERRORS:
        await reply(_error("bad_request", _("The relay could not use this description.")))
    except JanusError:
        logger.exception("Janus refused %s for meeting %s", kind, meeting_id)
        await reply(_error("relay_unavailable", _("The media server is not answering.")))


def _error(code: str, detail: str) -> dict:
    return {"type": "error", "code": code, "detail": detail}


async def _keep_alive(inbox: str) -> None:
    while True:
        await asyncio.sleep(ALIVE_EVERY)
        try:
            await cache.aset(_alive_key(inbox), True, ALIVE_TTL)
            for meeting_id in _backend().meeting_ids():
                await cache.aset(_key(meeting_id), inbox, OWNER_TTL)
        except Exception:  # a cache hiccup must not end the heartbeat for good
            logger.exception("Relay heartbeat failed")
