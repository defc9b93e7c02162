"""The server relay for meetings above the mesh size: each participant publishes one peer
connection to the server; subscribers get the others' tracks through aiortc's MediaRelay.
One relay per meeting, inside the Daphne process that received the frames (a meeting's
participants must reach the same process: route /ws/ for a meeting to one worker)."""

from dataclasses import dataclass, field

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay

from .sdp import tune_opus

# Subscribers one relay process serves (MediaRelay re-encodes per subscriber; see
# docs/PERFORMANCE.md "Calls"). Past it a subscription is refused.
MAX_SUBSCRIBERS = 8


@dataclass
class Room:
    relay: MediaRelay = field(default_factory=MediaRelay)
    publishers: dict[int, tuple[RTCPeerConnection, dict]] = field(default_factory=dict)
    subscribers: dict[int, RTCPeerConnection] = field(default_factory=dict)


_rooms: dict[int, Room] = {}


class RelayFull(Exception):
    pass


def _pc() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


async def publish(*, meeting_id: int, user_id: int, offer_sdp: str) -> str:
    room = _rooms.setdefault(meeting_id, Room())
    await _close(room.publishers.pop(user_id, (None,))[0])
    pc, tracks = _pc(), {}

    @pc.on("track")
    def on_track(track) -> None:
        tracks[track.kind] = track

    await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    room.publishers[user_id] = (pc, tracks)
    return tune_opus(pc.localDescription.sdp)


async def subscribe(*, meeting_id: int, user_id: int, offer_sdp: str) -> tuple[str, list[int]]:
    """Answer a recvonly offer with everyone else's tracks, in the order of the returned
    publisher ids (one audio and one video transceiver each, as offered)."""
    room = _rooms.setdefault(meeting_id, Room())
    await _close(room.subscribers.pop(user_id, None))
    if len(room.subscribers) >= MAX_SUBSCRIBERS:
        raise RelayFull
    pc = _pc()
    await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
    order = [uid for uid in room.publishers if uid != user_id]
    for uid in order:
        for track in room.publishers[uid][1].values():
            pc.addTrack(room.relay.subscribe(track))
    await pc.setLocalDescription(await pc.createAnswer())
    room.subscribers[user_id] = pc
    return tune_opus(pc.localDescription.sdp), order


async def leave(*, meeting_id: int, user_id: int) -> None:
    room = _rooms.get(meeting_id)
    if room is None:
        return
    await _close(room.publishers.pop(user_id, (None,))[0])
    await _close(room.subscribers.pop(user_id, None))
    if not room.publishers and not room.subscribers:
        _rooms.pop(meeting_id, None)


async def _close(pc: RTCPeerConnection | None) -> None:
    if pc is not None:
        await pc.close()
