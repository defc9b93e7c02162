"""The server relay for meetings above the mesh size (docs/calls.md, "Relay").

Each participant publishes one peer connection to the server (their offer, our answer) and
receives everyone else through a second one that the *server* offers, so the server can
renegotiate it whenever a publisher comes or goes. Tracks fan out through aiortc's
MediaRelay; every forwarded video costs one VP8 encode per subscriber, so only the most
recent speakers' video is forwarded once a room would exceed its encode budget (audio always
flows). Speaking is measured here, on the decoded audio of each publisher.

One relay per meeting, in one Daphne process: relay_routing.py brings every relay frame of a
meeting to that process.
"""

import asyncio
import logging
from array import array
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError
from django.conf import settings

from .sdp import tune_opus

logger = logging.getLogger(__name__)

# Subscribers one relay process serves (see docs/PERFORMANCE.md "Calls"). Past it a
# subscription is refused.
MAX_SUBSCRIBERS = 8
# Forwarded videos (= VP8 encodes) per meeting before only the last speakers get video.
DEFAULT_VIDEO_ENCODES = 8
# A publisher speaks when SPEAKING_FRAMES of its last 10 audio frames (20 ms each) peak
# above SPEAKING_PEAK (of 32767, about -30 dBFS): a cough or a click does not count.
SPEAKING_PEAK = 1000
SPEAKING_FRAMES = 5

Send = Callable[[dict], Awaitable[None]]


class RelayFull(Exception):
    pass


class NoOfferPending(Exception):
    pass


class VideoGate(MediaStreamTrack):
    """Passes a relayed video on while open; while closed it drops frames before the
    encoder, so a subscriber costs nothing for a publisher it does not see."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.source = source
        self.open = True

    async def recv(self):
        while True:
            frame = await self.source.recv()
            if self.open:
                return frame

    def stop(self) -> None:
        super().stop()
        self.source.stop()


@dataclass
class Publisher:
    pc: RTCPeerConnection
    tracks: dict[str, MediaStreamTrack] = field(default_factory=dict)
    meter: asyncio.Task | None = None


@dataclass
class Subscriber:
    pc: RTCPeerConnection
    send: Send
    slots: dict[int, list] = field(default_factory=dict)  # publisher -> its transceivers
    gates: dict[int, VideoGate] = field(default_factory=dict)
    video: list[int] = field(default_factory=list)  # publishers whose video is forwarded
    negotiating: bool = False
    dirty: bool = False
    offers: int = 0


@dataclass
class Room:
    meeting_id: int
    relay: MediaRelay = field(default_factory=MediaRelay)
    publishers: dict[int, Publisher] = field(default_factory=dict)
    subscribers: dict[int, Subscriber] = field(default_factory=dict)
    speakers: list[int] = field(default_factory=list)  # most recent speaker first


_rooms: dict[int, Room] = {}


def meeting_ids() -> list[int]:
    return list(_rooms)


def room(meeting_id: int) -> Room | None:
    return _rooms.get(meeting_id)


def _room(meeting_id: int) -> Room:
    return _rooms.setdefault(meeting_id, Room(meeting_id=meeting_id))


def _pc() -> RTCPeerConnection:
    # max-bundle: with aiortc's default ("balanced") a third video m-line offered in one go
    # stays on a transport the answer's BUNDLE group discards, and never sends.
    return RTCPeerConnection(
        RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    )


async def publish(*, meeting_id: int, user_id: int, offer_sdp: str) -> str:
    """Answer a participant's offer of their own tracks; offer them to every subscriber."""
    r = _room(meeting_id)
    await _unpublish(r, user_id)
    publisher = Publisher(pc=_pc())

    @publisher.pc.on("track")
    def on_track(track) -> None:
        publisher.tracks[track.kind] = track

    _forget_when_failed(publisher.pc, r, user_id, role="publisher")
    await publisher.pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
    await publisher.pc.setLocalDescription(await publisher.pc.createAnswer())
    r.publishers[user_id] = publisher
    r.speakers.append(user_id)
    if "audio" in publisher.tracks:
        source = r.relay.subscribe(publisher.tracks["audio"], buffered=False)
        publisher.meter = asyncio.ensure_future(_meter(r, user_id, source))
    await _renegotiate_all(r)
    return tune_opus(publisher.pc.localDescription.sdp)


async def subscribe(*, meeting_id: int, user_id: int, send: Send) -> None:
    """Start (or restart) the user's receiving connection: the relay sends them a
    ``call.relay.offer`` through ``send`` now and after every change of publishers."""
    r = _room(meeting_id)
    await _close_subscriber(r.subscribers.pop(user_id, None))
    if len(r.subscribers) >= MAX_SUBSCRIBERS:
        raise RelayFull
    subscriber = Subscriber(pc=_pc(), send=send)
    _forget_when_failed(subscriber.pc, r, user_id, role="subscriber")
    r.subscribers[user_id] = subscriber
    await _apply_speakers(r)  # one more subscriber: the others may get fewer videos
    await _negotiate(r, user_id, subscriber)


async def answer(*, meeting_id: int, user_id: int, answer_sdp: str) -> None:
    r = _rooms.get(meeting_id)
    subscriber = r.subscribers.get(user_id) if r else None
    if subscriber is None or not subscriber.negotiating:
        raise NoOfferPending
    try:
        await subscriber.pc.setRemoteDescription(RTCSessionDescription(answer_sdp, "answer"))
    except Exception:
        # A connection with a half-applied answer is useless: the client subscribes again.
        await _close_subscriber(r.subscribers.pop(user_id, None))
        raise
    subscriber.negotiating = False
    if subscriber.dirty:
        subscriber.dirty = False
        await _negotiate(r, user_id, subscriber)


async def leave(*, meeting_id: int, user_id: int) -> None:
    r = _rooms.get(meeting_id)
    if r is None:
        return
    await _close_subscriber(r.subscribers.pop(user_id, None))
    if await _unpublish(r, user_id):
        await _renegotiate_all(r)
    elif r.subscribers:
        await _apply_speakers(r)  # fewer subscribers: more video fits the budget
    if not r.publishers and not r.subscribers:
        _rooms.pop(meeting_id, None)


async def _unpublish(r: Room, user_id: int) -> bool:
    publisher = r.publishers.pop(user_id, None)
    if publisher is None:
        return False
    if publisher.meter is not None:
        publisher.meter.cancel()
    r.speakers.remove(user_id)
    for subscriber in r.subscribers.values():
        for transceiver in subscriber.slots.pop(user_id, []):
            if transceiver.sender.track is not None:
                transceiver.sender.track.stop()
            transceiver.direction = "inactive"
        subscriber.gates.pop(user_id, None)
    await publisher.pc.close()
    return True


async def _close_subscriber(subscriber: Subscriber | None) -> None:
    if subscriber is None:
        return
    for transceivers in subscriber.slots.values():
        for transceiver in transceivers:
            if transceiver.sender.track is not None:
                transceiver.sender.track.stop()
    await subscriber.pc.close()


async def _renegotiate_all(r: Room) -> None:
    for user_id, subscriber in list(r.subscribers.items()):
        await _negotiate(r, user_id, subscriber)


async def _negotiate(r: Room, user_id: int, subscriber: Subscriber) -> None:
    """Bring the subscriber's connection up to date with the publishers and offer it;
    while an offer is out, remember to offer again once it is answered."""
    if subscriber.negotiating:
        subscriber.dirty = True
        return
    subscriber.negotiating = True
    for publisher_id, publisher in r.publishers.items():
        if publisher_id == user_id or publisher_id in subscriber.slots:
            continue
        transceivers = []
        for kind in ("audio", "video"):
            track = publisher.tracks.get(kind)
            if track is None:
                continue
            proxy = r.relay.subscribe(track, buffered=kind == "audio")
            if kind == "video":
                proxy = subscriber.gates[publisher_id] = VideoGate(proxy)
            transceivers.append(subscriber.pc.addTransceiver(proxy, direction="sendonly"))
        subscriber.slots[publisher_id] = transceivers
    subscriber.video = _gate(r, user_id, subscriber)
    if not subscriber.slots:  # nothing to receive yet (browsers refuse an empty offer)
        subscriber.negotiating = False
        return
    try:
        await subscriber.pc.setLocalDescription(await subscriber.pc.createOffer())
    except Exception:
        logger.exception("Relay offer to user %s failed", user_id)
        await _close_subscriber(r.subscribers.pop(user_id, None))
        return
    subscriber.offers += 1
    tracks = {
        transceiver.mid: publisher_id
        for publisher_id, transceivers in subscriber.slots.items()
        for transceiver in transceivers
    }
    await _send(
        subscriber,
        {
            "type": "call.relay.offer",
            "meeting": r.meeting_id,
            "sdp": tune_opus(subscriber.pc.localDescription.sdp),
            "tracks": tracks,
            "video": subscriber.video,
            "first": subscriber.offers == 1,  # a new connection: drop any older one
        },
    )


def video_slots(r: Room) -> int:
    """How many publishers' video each subscriber gets within the room's encode budget."""
    budget = getattr(settings, "SAHAKAR_RELAY_VIDEO_ENCODES", DEFAULT_VIDEO_ENCODES)
    return max(1, budget // max(1, len(r.subscribers)))


def _gate(r: Room, user_id: int, subscriber: Subscriber) -> list[int]:
    """Open the gates of the most recent speakers (not oneself); returns their ids."""
    chosen = [p for p in r.speakers if p != user_id and p in subscriber.gates][: video_slots(r)]
    for publisher_id, gate in subscriber.gates.items():
        gate.open = publisher_id in chosen
    return chosen


async def _apply_speakers(r: Room) -> None:
    for user_id, subscriber in list(r.subscribers.items()):
        chosen = _gate(r, user_id, subscriber)
        if chosen != subscriber.video:
            subscriber.video = chosen
            await _send(
                subscriber, {"type": "call.relay.video", "meeting": r.meeting_id, "video": chosen}
            )


async def _meter(r: Room, user_id: int, track: MediaStreamTrack) -> None:
    loud: deque[bool] = deque(maxlen=10)
    try:
        while True:
            loud.append(_peak(await track.recv()) >= SPEAKING_PEAK)
            if sum(loud) >= SPEAKING_FRAMES and r.speakers and r.speakers[0] != user_id:
                r.speakers.remove(user_id)
                r.speakers.insert(0, user_id)
                await _apply_speakers(r)
    except MediaStreamError:
        return
    finally:
        track.stop()


def _peak(frame) -> int:
    """The loudest sample of a decoded (signed 16-bit) audio frame."""
    samples = array("h", bytes(frame.planes[0]))
    return max(max(samples), -min(samples)) if samples else 0


async def _send(subscriber: Subscriber, frame: dict) -> None:
    try:
        await subscriber.send(frame)
    except Exception:  # the socket went away; its connection fails and is forgotten
        logger.info("Relay frame %s not delivered", frame["type"])


def _forget_when_failed(pc: RTCPeerConnection, r: Room, user_id: int, *, role: str) -> None:
    """A participant whose socket closed without call.leave: drop their connection when
    ICE gives up on it."""

    @pc.on("connectionstatechange")
    async def on_state() -> None:
        if pc.connectionState != "failed":
            return
        mine = (r.publishers if role == "publisher" else r.subscribers).get(user_id)
        if mine is None or mine.pc is not pc:
            return  # replaced or closed already
        if role == "publisher":
            await _unpublish(r, user_id)
            await _renegotiate_all(r)
        else:
            await _close_subscriber(r.subscribers.pop(user_id))
