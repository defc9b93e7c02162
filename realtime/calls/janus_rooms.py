"""Meetings through Janus's VideoRoom (docs/calls.md, "Janus") when SAHAKAR_JANUS_URLS is set.

The same four operations as relay.py, so relay_routing.py and the /ws/ frames stay as they are:
a participant's offer of their own tracks is answered by Janus (publisher handle, feed id =
user id, room id = meeting id), and each participant receives everyone else through one
subscriber handle whose offers Janus makes (multistream: one m-line per forwarded track).
Janus forwards without decoding, so there is no video budget: every publisher's video goes to
every subscriber.

A feed can be subscribed to only once its publisher's connection is up (Janus answers 428
"No such feed" before), so subscribers are brought up to date on the publisher's webrtcup.
When a publisher goes, Janus removes its streams and offers the subscribers again by itself.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings

from .janus import Handle, JanusError, JanusGone, Session
from .relay import NoOfferPending, Send
from .sdp import tune_opus

logger = logging.getLogger(__name__)

PLUGIN = "janus.plugin.videoroom"
MAX_PUBLISHERS = 300
ROOM_EXISTS = 427


@dataclass
class Subscriber:
    send: Send
    handle: Handle | None = None
    feeds: set[int] = field(default_factory=set)  # feeds in Janus's last offer
    busy: bool = False  # a subscription request to Janus is under way
    unanswered: int = 0  # offers sent to the participant and not answered yet
    dirty: bool = False
    offers: int = 0


@dataclass
class Room:
    meeting_id: int
    session: Session
    publishers: dict[int, Handle] = field(default_factory=dict)
    live: set[int] = field(default_factory=set)  # publishers whose connection is up
    subscribers: dict[int, Subscriber] = field(default_factory=dict)


_rooms: dict[int, Room] = {}
_sessions: dict[str, Session] = {}


def meeting_ids() -> list[int]:
    return list(_rooms)


def room(meeting_id: int) -> Room | None:
    return _rooms.get(meeting_id)


async def publish(*, meeting_id: int, user_id: int, offer_sdp: str) -> str:
    r = await _room(meeting_id)
    await _unpublish(r, user_id)

    async def on_event(data: dict, message: dict) -> None:
        if r.publishers.get(user_id) is not handle:
            return  # replaced or gone
        if message["janus"] == "webrtcup":
            r.live.add(user_id)
            await _sync_all(r)
        elif message["janus"] == "hangup":  # ICE or DTLS failed: the page will publish again
            await _unpublish(r, user_id)
            await _end_if_empty(r)

    handle = await r.session.attach(PLUGIN, on_event)
    r.publishers[user_id] = handle
    try:
        await handle.message(
            {"request": "join", "ptype": "publisher", "room": r.meeting_id, "id": user_id}
        )
        _, jsep = await handle.message(
            {"request": "publish"}, {"type": "offer", "sdp": offer_sdp, "trickle": False}
        )
    except JanusError:
        await _unpublish(r, user_id)
        raise
    return tune_opus(jsep["sdp"])


async def subscribe(*, meeting_id: int, user_id: int, send: Send) -> None:
    """Start (or restart) the user's receiving connection; Janus's offers reach them as
    ``call.relay.offer`` through ``send``, now and whenever publishers come or go."""
    r = await _room(meeting_id)
    await _close_subscriber(r.subscribers.pop(user_id, None))
    r.subscribers[user_id] = subscriber = Subscriber(send=send)
    await _sync(r, user_id, subscriber)


async def answer(*, meeting_id: int, user_id: int, answer_sdp: str) -> None:
    r = _rooms.get(meeting_id)
    subscriber = r.subscribers.get(user_id) if r else None
    if subscriber is None or not subscriber.unanswered:
        raise NoOfferPending
    try:
        await subscriber.handle.message(
            {"request": "start"}, {"type": "answer", "sdp": answer_sdp, "trickle": False}
        )
    except JanusError:
        await _close_subscriber(r.subscribers.pop(user_id, None))
        raise
    subscriber.unanswered -= 1
    if subscriber.dirty and not subscriber.unanswered:
        subscriber.dirty = False
        await _sync(r, user_id, subscriber)


async def leave(*, meeting_id: int, user_id: int) -> None:
    r = _rooms.get(meeting_id)
    if r is None:
        return
    await _close_subscriber(r.subscribers.pop(user_id, None))
    await _unpublish(r, user_id)
    await _end_if_empty(r)


async def _end_if_empty(r: Room) -> None:
    if r.publishers or r.subscribers or _rooms.get(r.meeting_id) is not r:
        return
    _rooms.pop(r.meeting_id)
    try:
        await _admin(r.session, {"request": "destroy", "room": r.meeting_id})
    except JanusError:
        logger.info("Janus room %s was gone already", r.meeting_id)


async def _room(meeting_id: int) -> Room:
    r = _rooms.get(meeting_id)
    if r is not None and not r.session.alive:
        # Its instance stopped answering, and its handles went with it: the participants'
        # retries (call.js publishes and subscribes again) land on a live instance.
        logger.warning("Janus %s is gone; meeting %s starts over", r.session.url, meeting_id)
        del _rooms[meeting_id]
    if meeting_id not in _rooms:
        session = await _session()
        create = {
            "request": "create",
            "room": meeting_id,
            "publishers": MAX_PUBLISHERS,
            "audiocodec": "opus",
            "videocodec": "vp8",
            "opus_fec": True,
        }
        try:
            await _admin(session, create)
        except JanusError as exc:
            if exc.code != ROOM_EXISTS:
                raise
            # Left by an owner that died: nobody in it is still ours.
            await _admin(session, {"request": "destroy", "room": meeting_id})
            await _admin(session, create)
        _rooms.setdefault(meeting_id, Room(meeting_id=meeting_id, session=session))
    return _rooms[meeting_id]


async def _session() -> Session:
    """The answering instance holding the fewest of this process's meetings."""
    load = {url: 0 for url in settings.SAHAKAR_JANUS_URLS}
    for r in _rooms.values():
        if r.session.url in load:
            load[r.session.url] += 1
    for url in sorted(load, key=load.get):
        session = _sessions.get(url)
        if session is not None and session.alive:
            return session
        try:
            session = _sessions[url] = await Session.open(url)
            return session
        except JanusGone:
            logger.warning("Janus %s does not answer; trying the next instance", url)
    raise JanusGone("no Janus instance answers")


async def _admin(session: Session, body: dict) -> dict:
    handle = await session.attach(PLUGIN)
    try:
        data, _ = await handle.message(body)
        return data
    finally:
        await handle.detach()


async def _unpublish(r: Room, user_id: int) -> None:
    handle = r.publishers.pop(user_id, None)
    r.live.discard(user_id)
    if handle is not None:
        await handle.detach()  # Janus offers every subscriber again without the feed


async def _close_subscriber(subscriber: Subscriber | None) -> None:
    if subscriber is not None and subscriber.handle is not None:
        await subscriber.handle.detach()


async def _sync_all(r: Room) -> None:
    for user_id, subscriber in list(r.subscribers.items()):
        await _sync(r, user_id, subscriber)


async def _sync(r: Room, user_id: int, subscriber: Subscriber) -> None:
    """Subscribe to the live feeds the subscriber lacks; one renegotiation at a time (the
    flags are set before any await: webrtcup events of two publishers run concurrently)."""
    if subscriber.busy or subscriber.unanswered:
        subscriber.dirty = True
        return
    missing = sorted(r.live - subscriber.feeds - {user_id})
    if not missing:
        return
    streams = [{"feed": feed} for feed in missing]
    subscriber.busy = True
    try:
        if subscriber.handle is None:
            subscriber.handle = await r.session.attach(
                PLUGIN, lambda data, message: _on_subscriber_event(r, user_id, data, message)
            )
            data, jsep = await subscriber.handle.message(
                {"request": "join", "ptype": "subscriber", "room": r.meeting_id, "streams": streams}
            )
        else:
            data, jsep = await subscriber.handle.message(
                {"request": "subscribe", "streams": streams}
            )
    except JanusError:
        logger.exception("Janus subscription of user %s failed", user_id)
        await _close_subscriber(r.subscribers.pop(user_id, None))
        return
    finally:
        subscriber.busy = False
    await _offer(r, subscriber, data, jsep)
    if subscriber.dirty and not subscriber.unanswered:  # nothing to answer: look again now
        subscriber.dirty = False
        await _sync(r, user_id, subscriber)


async def _on_subscriber_event(r: Room, user_id: int, data: dict, message: dict) -> None:
    subscriber = r.subscribers.get(user_id)
    if subscriber is None or subscriber.handle is None:
        return
    if message["janus"] == "hangup":
        await _close_subscriber(r.subscribers.pop(user_id, None))
        await _end_if_empty(r)
    elif message.get("jsep"):  # a publisher went: Janus offers again without its streams
        await _offer(r, subscriber, data, message["jsep"])


async def _offer(r: Room, subscriber: Subscriber, data: dict, jsep: dict | None) -> None:
    if jsep is None or jsep.get("type") != "offer":
        return
    active = [s for s in data.get("streams", []) if s.get("active") and "feed_id" in s]
    tracks = {s["mid"]: s["feed_id"] for s in active}
    subscriber.feeds = set(tracks.values())
    subscriber.unanswered += 1
    subscriber.offers += 1
    video = sorted({s["feed_id"] for s in active if s.get("type") == "video"})
    frame = {
        "type": "call.relay.offer",
        "meeting": r.meeting_id,
        "sdp": tune_opus(jsep["sdp"]),
        "tracks": tracks,
        "video": video,
        "first": subscriber.offers == 1,
    }
    try:
        await subscriber.send(frame)
    except Exception:  # the socket went away; Janus hangs the connection up later
        logger.info("Janus offer to a subscriber of meeting %s not delivered", r.meeting_id)
