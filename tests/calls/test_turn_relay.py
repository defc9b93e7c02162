"""A relay-only call through a real coturn started on loopback with a shared secret,
using credentials minted by realtime.calls.ice (coturn REST scheme)."""

import asyncio
import os
import shutil
import socket
import subprocess
import time

import pytest
from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCIceTransportPolicy,
    RTCPeerConnection,
    VideoStreamTrack,
)

from realtime.calls.ice import ice_servers
from tests.conftest import skip_or_fail_when_missing

SECRET = "test-shared-secret"


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_answering(port: int, process: subprocess.Popen, log_path) -> None:
    """Block until coturn answers a STUN binding request: a test that starts before coturn
    listens gets no relay candidate at all (seen in CI on a loaded machine)."""
    request = bytes.fromhex("000100002112a442") + os.urandom(12)
    deadline = time.monotonic() + 15
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.2)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            probe.sendto(request, ("127.0.0.1", port))
            try:
                answer = probe.recv(2048)
            except OSError:
                continue
            if answer[:2] == b"\x01\x01" and answer[8:20] == request[8:20]:
                return
    log = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
    pytest.fail(f"coturn did not answer STUN on 127.0.0.1:{port}:\n{log}")


@pytest.fixture
def coturn(tmp_path):
    binary = shutil.which("turnserver")
    if binary is None:
        skip_or_fail_when_missing("turnserver (Debian package coturn) is not installed")
    port = _free_udp_port()
    log_path = tmp_path / "turn.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            binary,
            "-n",
            "--no-cli",
            "--no-tls",
            "--no-dtls",
            "--listening-ip",
            "127.0.0.1",
            "--relay-ip",
            "127.0.0.1",
            "--listening-port",
            str(port),
            "--allow-loopback-peers",
            "--use-auth-secret",
            f"--static-auth-secret={SECRET}",
            "--realm",
            "sahakar.test",
            "--min-port",
            "49200",
            "--max-port",
            "49999",
            "--no-multicast-peers",
            "--userdb",
            str(tmp_path / "turndb"),
            "--pidfile",
            str(tmp_path / "turn.pid"),
            "--log-file",
            "stdout",
            "--simple-log",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_answering(port, process, log_path)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _relay_only_peer(servers: list[dict], frames: list) -> RTCPeerConnection:
    pc = RTCPeerConnection(
        RTCConfiguration(
            iceServers=[RTCIceServer(**s) for s in servers],
            iceTransportPolicy=RTCIceTransportPolicy.RELAY,
        )
    )
    pc.addTrack(VideoStreamTrack())

    @pc.on("track")
    def on_track(track) -> None:
        async def count() -> None:
            while True:
                try:
                    await track.recv()
                except Exception:
                    return
                frames.append(1)

        asyncio.ensure_future(count())

    return pc


async def test_relay_only_call_through_coturn(coturn, settings):
    settings.SAHAKAR_STUN_URL = ""
    settings.SAHAKAR_TURN_URL = f"turn:127.0.0.1:{coturn}?transport=udp"
    settings.SAHAKAR_TURN_SECRET = SECRET
    at_a, at_b = [], []
    pc_a = _relay_only_peer(ice_servers(user_key="1"), at_a)
    pc_b = _relay_only_peer(ice_servers(user_key="2"), at_b)
    try:
        await pc_a.setLocalDescription(await pc_a.createOffer())
        offer_sdp = pc_a.localDescription.sdp
        candidate_types = {
            line.split()[7] for line in offer_sdp.splitlines() if line.startswith("a=candidate:")
        }
        assert candidate_types == {"relay"}, offer_sdp
        await pc_b.setRemoteDescription(pc_a.localDescription)
        await pc_b.setLocalDescription(await pc_b.createAnswer())
        await pc_a.setRemoteDescription(pc_b.localDescription)

        for _ in range(100):
            if len(at_a) >= 30 and len(at_b) >= 30:
                break
            await asyncio.sleep(0.1)
        assert pc_a.connectionState == pc_b.connectionState == "connected"
        assert len(at_a) >= 30 and len(at_b) >= 30, (len(at_a), len(at_b))
    finally:
        await pc_a.close()
        await pc_b.close()


async def test_a_wrong_secret_is_refused_by_coturn(coturn, settings):
    settings.SAHAKAR_STUN_URL = ""
    settings.SAHAKAR_TURN_URL = f"turn:127.0.0.1:{coturn}?transport=udp"
    settings.SAHAKAR_TURN_SECRET = "not-the-secret"
    pc = _relay_only_peer(ice_servers(user_key="1"), [])
    try:
        await pc.setLocalDescription(await pc.createOffer())
        assert "a=candidate:" not in pc.localDescription.sdp  # no allocation, no candidate
    finally:
        await pc.close()
