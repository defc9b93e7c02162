"""Preloaded into a live server: frame ``test.relay.crash`` {meeting} makes the meeting's
relay vanish as it would with a crashed process (its connections close, nobody is told)."""

from realtime.calls import relay
from realtime.handlers import frame_handler


@frame_handler("test.relay.crash")
async def crash(consumer, frame: dict) -> None:
    room = relay._rooms.pop(int(frame["meeting"]), None)
    if room is None:
        return
    for peer in [*room.publishers.values(), *room.subscribers.values()]:
        await peer.pc.close()
