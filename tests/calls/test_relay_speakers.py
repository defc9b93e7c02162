"""Past the relay's encode budget only the last speakers' video is forwarded: real aiortc
peers against realtime.calls.relay in this process (speaking is measured by the relay on
the decoded audio of each publisher)."""

import asyncio

import pytest
from aiortc import RTCSessionDescription

from realtime.calls import relay
from tests.calls.peers import Subscriber, Tone, publisher_offer, wait_for

MEETING = 9001


class Peer:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.tone = Tone()
        self.sub = Subscriber()
        self.frames: asyncio.Queue = asyncio.Queue()
        self.publisher = None
        self.video: list[int] = []  # whose video the relay says it forwards to us

    async def send(self, frame: dict) -> None:
        await self.frames.put(frame)

    async def serve(self) -> None:
        """What call.js does with the relay's frames."""
        while True:
            frame = await self.frames.get()
            if frame["type"] == "call.relay.offer":
                sdp = await self.sub.answer(frame)
                await relay.answer(meeting_id=MEETING, user_id=self.user_id, answer_sdp=sdp)
            self.video = frame["video"]


def _video_now(peer: Peer) -> list[int]:
    return peer.video


async def _flowing(peer: Peer, publisher: int) -> bool:
    before = peer.sub.count(publisher)
    await asyncio.sleep(1.0)
    return peer.sub.count(publisher) > before + 5


async def _stopped(peer: Peer, publisher: int) -> bool:
    await asyncio.sleep(0.5)  # what was already encoded arrives
    before = peer.sub.count(publisher)
    await asyncio.sleep(1.0)
    return peer.sub.count(publisher) == before


@pytest.fixture
def budget_of_one_video_each(settings):
    settings.SAHAKAR_RELAY_VIDEO_ENCODES = 3  # three subscribers: one video each


async def test_only_the_last_speaker_video_is_forwarded(budget_of_one_video_each):
    peers = [Peer(user_id) for user_id in (1, 2, 3)]
    a, b, c = peers
    tasks = [asyncio.ensure_future(p.serve()) for p in peers]
    try:
        for p in peers:
            pc, sdp = await publisher_offer(audio=p.tone)
            answer = await relay.publish(meeting_id=MEETING, user_id=p.user_id, offer_sdp=sdp)
            await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
            p.publisher = pc
        for p in peers:
            await relay.subscribe(meeting_id=MEETING, user_id=p.user_id, send=p.send)
        room = relay.room(MEETING)
        assert relay.video_slots(room) == 1

        # Nobody spoke yet: the earliest publisher other than oneself.
        await wait_for(lambda: _video_now(a) == [2] and _video_now(c) == [1], what="initial")
        await wait_for(lambda: c.sub.count(1) >= 20 and a.sub.count(2) >= 20, what="video")
        assert await _stopped(c, 2)  # c gets only 1's video ...
        assert c.sub.count(2, "audio") > 0  # ... but everyone's audio

        # The third speaks: the others switch to its video; its own view is unchanged.
        c.tone.loud = True
        await wait_for(lambda: _video_now(a) == [3] and _video_now(b) == [3], what="c speaks")
        assert room.speakers[0] == 3
        assert await _flowing(a, 3) and await _stopped(a, 2)
        assert await _flowing(b, 3) and await _stopped(b, 1)
        assert _video_now(c) == [1]

        # Then the second speaks instead.
        c.tone.loud, b.tone.loud = False, True
        await wait_for(lambda: _video_now(a) == [2] and _video_now(c) == [2], what="b speaks")
        assert await _flowing(c, 2) and await _stopped(c, 1)
        assert await _stopped(a, 3)
        assert _video_now(b) == [3]  # the previous speaker

        # The third leaves: the second gets the first's video again.
        await relay.leave(meeting_id=MEETING, user_id=3)
        await wait_for(lambda: _video_now(b) == [1], what="b after c left")
        assert _video_now(a) == [2] and room.speakers == [2, 1]
        assert await _flowing(b, 1)
    finally:
        for task in tasks:
            task.cancel()
        for p in peers:
            await relay.leave(meeting_id=MEETING, user_id=p.user_id)
            await p.sub.pc.close()
            if p.publisher is not None:
                await p.publisher.close()
    assert relay.room(MEETING) is None
