"""The server's aiortc peers send Opus at ≤ 32 kbps (aiortc alone sends ~118 kbps)."""

import asyncio

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, rtcrtpsender

from realtime.calls import opus, relay

from .peers import Subscriber, Tone, publisher_offer, wait_for

PACKET_SECONDS = 0.020


async def _opus_kbps(seconds: float = 3.0) -> float:
    """A loud tone (no silence for the encoder to save on) between two loopback peers."""
    sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    tone = Tone()
    tone.loud = True
    sender.addTrack(tone)
    receiver.addTransceiver("audio", direction="recvonly")
    try:
        await sender.setLocalDescription(await sender.createOffer())
        await receiver.setRemoteDescription(sender.localDescription)
        await receiver.setLocalDescription(await receiver.createAnswer())
        await sender.setRemoteDescription(receiver.localDescription)
        await asyncio.sleep(1.0)  # connect and settle
        before = await _outbound(sender)
        await asyncio.sleep(seconds)
        after = await _outbound(sender)
        return _kbps(after.bytesSent - before.bytesSent, after.packetsSent - before.packetsSent)
    finally:
        await sender.close()
        await receiver.close()


async def _outbound(pc: RTCPeerConnection):
    report = await pc.getStats()
    return next(s for s in report.values() if s.type == "outbound-rtp")


def _kbps(payload_bytes: int, packets: int) -> float:
    """The encoder's rate from payload per packet: each Opus packet carries 20 ms. Unlike bytes
    over wall-clock time, a busy machine sending late packets in a burst cannot move it."""
    assert packets >= 100, packets
    return payload_bytes / packets * 8 / PACKET_SECONDS / 1000


async def test_server_peers_send_voice_at_most_32_kbps(monkeypatch):
    assert rtcrtpsender.get_encoder is opus._get_encoder  # installed when Django started
    voice = await _opus_kbps()
    assert 12 < voice <= 32, voice

    monkeypatch.setattr(rtcrtpsender, "get_encoder", opus._aiortc_get_encoder)
    aiortc_default = await _opus_kbps()
    assert aiortc_default > 80, aiortc_default


async def test_the_relay_forwards_a_speaker_at_most_32_kbps():
    """A loud publisher through realtime.calls.relay to one subscriber: the relay's sender
    reports (RTCP) what it sent; aiortc's own encoder would send ~118 kbps here."""
    meeting, tone = 9101, Tone()
    tone.loud = True
    subscriber = Subscriber()
    offers: asyncio.Queue = asyncio.Queue()

    async def send(frame: dict) -> None:
        await offers.put(frame)

    async def answer_offers() -> None:
        while True:
            sdp = await subscriber.answer(await offers.get())
            await relay.answer(meeting_id=meeting, user_id=2, answer_sdp=sdp)

    publisher, sdp = await publisher_offer(audio=tone)
    answering = asyncio.ensure_future(answer_offers())
    try:
        answer = await relay.publish(meeting_id=meeting, user_id=1, offer_sdp=sdp)
        await publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        await relay.subscribe(meeting_id=meeting, user_id=2, send=send)
        await wait_for(lambda: subscriber.count(1, "audio") >= 50, what="audio")
        first = await _relay_audio_report(subscriber)
        await asyncio.sleep(4.0)
        last = await _relay_audio_report(subscriber)
        kbps = _kbps(last.bytesSent - first.bytesSent, last.packetsSent - first.packetsSent)
        assert 12 < kbps <= 32, kbps
    finally:
        answering.cancel()
        await relay.leave(meeting_id=meeting, user_id=1)
        await relay.leave(meeting_id=meeting, user_id=2)
        await subscriber.pc.close()
        await publisher.close()


async def _relay_audio_report(subscriber: Subscriber):
    """The latest sender report the relay sent for the audio it forwards."""
    for _ in range(50):
        report = await subscriber.pc.getStats()
        for stats in report.values():
            if stats.type == "remote-outbound-rtp" and stats.kind == "audio":
                return stats
        await asyncio.sleep(0.1)
    raise AssertionError("the relay sent no sender report for audio")
