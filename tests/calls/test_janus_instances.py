"""Several Janus instances, driven in this process through realtime.calls.janus_rooms with
real aiortc peers: meetings spread by load, and a meeting whose instance is killed starts
over on the other when its participants publish and subscribe again (what call.js does when
its relay connections fail)."""

import asyncio

import pytest
from aiortc import RTCSessionDescription

from realtime.calls import janus_rooms
from realtime.calls.janus import JanusGone
from tests.calls.janus_server import start_janus
from tests.calls.peers import Subscriber, Tone, publisher_offer, wait_for


@pytest.fixture
def two_janus(tmp_path, settings):
    servers = [start_janus(tmp_path / name) for name in ("a", "b")]
    settings.SAHAKAR_JANUS_URLS = [s.url for s in servers]
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
async def forget_sessions():
    yield
    for session in janus_rooms._sessions.values():
        await session.close()
    janus_rooms._sessions.clear()
    janus_rooms._rooms.clear()


class Peer:
    def __init__(self, meeting_id: int, user_id: int) -> None:
        self.meeting_id = meeting_id
        self.user_id = user_id
        self.publisher = None
        self.sub = Subscriber()
        self.frames: asyncio.Queue = asyncio.Queue()
        self.task = asyncio.ensure_future(self._serve())

    async def send(self, frame: dict) -> None:
        await self.frames.put(frame)

    async def _serve(self) -> None:
        while True:
            offer = await self.frames.get()
            if offer["first"]:
                await self.sub.pc.close()
                self.sub = Subscriber()
            sdp = await self.sub.answer(offer)
            await janus_rooms.answer(
                meeting_id=self.meeting_id, user_id=self.user_id, answer_sdp=sdp
            )

    async def join(self) -> None:
        """Publish and subscribe (again): a new connection each time."""
        if self.publisher is not None:
            await self.publisher.close()
        self.publisher, sdp = await publisher_offer(audio=Tone())
        answer = await janus_rooms.publish(
            meeting_id=self.meeting_id, user_id=self.user_id, offer_sdp=sdp
        )
        await self.publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        await janus_rooms.subscribe(
            meeting_id=self.meeting_id, user_id=self.user_id, send=self.send
        )

    async def close(self) -> None:
        self.task.cancel()
        await janus_rooms.leave(meeting_id=self.meeting_id, user_id=self.user_id)
        for pc in (self.publisher, self.sub.pc):
            if pc is not None:
                await pc.close()


async def _see_each_other(a: Peer, b: Peer) -> None:
    before = a.sub.count(b.user_id), b.sub.count(a.user_id)
    await wait_for(
        lambda: (
            a.sub.count(b.user_id) >= before[0] + 10 and b.sub.count(a.user_id) >= before[1] + 10
        ),
        timeout=30,
        what=f"video both ways in meeting {a.meeting_id}",
    )


async def test_meetings_spread_over_instances_and_move_when_one_dies(two_janus, forget_sessions):
    peers = [Peer(meeting, user) for meeting in (501, 502) for user in (1, 2)]
    try:
        for peer in peers:
            await peer.join()
        first, second = (janus_rooms.room(m) for m in (501, 502))
        assert {first.session.url, second.session.url} == {s.url for s in two_janus}
        await _see_each_other(*peers[:2])
        await _see_each_other(*peers[2:])

        # The first meeting's instance is killed (no goodbye to anyone).
        dead = next(s for s in two_janus if s.url == first.session.url)
        dead.process.kill()
        dead.process.wait()
        await wait_for(lambda: not first.session.alive, what="the session noticing")

        for peer in peers[:2]:
            await peer.join()
        moved = janus_rooms.room(501)
        assert moved is not first and moved.session.url == second.session.url
        await _see_each_other(*peers[:2])
        await _see_each_other(*peers[2:])  # the other meeting did not notice
    finally:
        for peer in peers:
            await peer.close()
    assert janus_rooms.room(501) is None and janus_rooms.room(502) is None


async def test_no_instance_answering_is_an_error(two_janus, forget_sessions):
    for server in two_janus:
        server.stop()
    _, sdp = await publisher_offer(audio=Tone())
    with pytest.raises(JanusGone):
        await janus_rooms.publish(meeting_id=503, user_id=1, offer_sdp=sdp)
