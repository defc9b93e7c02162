"""aiortc peers of the call benches: one 640×480 publisher and N subscribers that count the
frames they decode, against a media backend with the relay's interface (``publish``,
``subscribe``, ``answer``: realtime.calls.relay or realtime.calls.janus_rooms)."""

import asyncio

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack


def peer() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


async def publish_and_subscribe(
    backend, *, meeting_id: int, n: int, publisher_id: int
) -> tuple[RTCPeerConnection, list[RTCPeerConnection], list[int]]:
    """The publisher (user ``publisher_id``) and subscribers 1..n; ``frames[i]`` counts the
    frames subscriber i + 1 has decoded so far."""
    publisher = peer()
    publisher.addTrack(VideoStreamTrack())  # 640×480 at 30 fps
    await publisher.setLocalDescription(await publisher.createOffer())
    answer = await backend.publish(
        meeting_id=meeting_id, user_id=publisher_id, offer_sdp=publisher.localDescription.sdp
    )
    await publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    frames = [0] * n
    subscribers = []
    for i in range(n):
        pc = peer()

        def on_track(track, i=i) -> None:
            async def count() -> None:
                while True:
                    try:
                        await track.recv()
                    except Exception:
                        return
                    frames[i] += 1

            asyncio.ensure_future(count())

        pc.on("track", on_track)

        async def send(frame: dict, pc=pc, user_id=i + 1) -> None:
            # The backend offers; answer as call.js does (in a task: the backend awaits this).
            async def answer() -> None:
                await pc.setRemoteDescription(RTCSessionDescription(frame["sdp"], "offer"))
                await pc.setLocalDescription(await pc.createAnswer())
                await backend.answer(
                    meeting_id=meeting_id, user_id=user_id, answer_sdp=pc.localDescription.sdp
                )

            if frame["type"] == "call.relay.offer":
                asyncio.ensure_future(answer())

        await backend.subscribe(meeting_id=meeting_id, user_id=i + 1, send=send)
        subscribers.append(pc)
    return publisher, subscribers, frames
