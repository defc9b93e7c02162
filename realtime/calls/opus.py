"""Opus as the server's aiortc peers send it: mono, ≤ 32 kbps, in-band FEC.

aiortc encodes every Opus stream at 96 kbps stereo and ignores the SDP's fmtp, so the relay
would forward a speaker at ~118 kbps to each subscriber: too much for a 3G link, and four
times what the browsers send. aiortc has no setting for it; its sender asks
`aiortc.rtcrtpsender.get_encoder` for an encoder, so `install()` answers that call with this
encoder for Opus and leaves every other codec to aiortc."""

from aiortc import rtcrtpsender
from aiortc.codecs import opus
from av import AudioResampler

# The target sits under the 32 kbps cap because VBR overshoots on audio the relay re-encodes:
# a loud publisher through the relay measured 34.7 kbps per packet at a 32 kbps target and
# 28.2-28.7 at this one (tests/calls/test_opus.py pins ≤ 32).
VOICE_BITRATE = 26_000
VOICE_OPTIONS = {"application": "voip", "vbr": "constrained", "fec": "1", "packet_loss": "10"}


class VoiceOpusEncoder(opus.OpusEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.codec.bit_rate = VOICE_BITRATE
        self.codec.layout = "mono"
        self.codec.options = VOICE_OPTIONS
        self.resampler = AudioResampler(
            format="s16", layout="mono", rate=opus.SAMPLE_RATE, frame_size=opus.SAMPLES_PER_FRAME
        )


_aiortc_get_encoder = rtcrtpsender.get_encoder


def _get_encoder(codec):
    if codec.mimeType.lower() == "audio/opus":
        return VoiceOpusEncoder()
    return _aiortc_get_encoder(codec)


def install() -> None:
    rtcrtpsender.get_encoder = _get_encoder
