"""SDP rewriting so speech survives a 50 kbps link: Opus mono, ≤ 32 kbps, in-band FEC, DTX."""

import re

OPUS_PARAMS = {
    "stereo": "0",
    "sprop-stereo": "0",
    "maxaveragebitrate": "32000",
    "useinbandfec": "1",
    "usedtx": "1",
}

_RTPMAP = re.compile(r"^a=rtpmap:(\d+) opus/48000", re.IGNORECASE | re.MULTILINE)


def tune_opus(sdp: str, *, max_bitrate: int = 32000) -> str:
    """Set (or add) the fmtp parameters of every Opus payload type in an SDP."""
    params = {**OPUS_PARAMS, "maxaveragebitrate": str(max_bitrate)}
    newline = "\r\n" if "\r\n" in sdp else "\n"
    lines = sdp.split(newline)
    for pt in _RTPMAP.findall(sdp):
        fmtp_prefix = f"a=fmtp:{pt} "
        index = next((i for i, line in enumerate(lines) if line.startswith(fmtp_prefix)), None)
        if index is None:
            rtpmap_index = next(
                i for i, line in enumerate(lines) if line.startswith(f"a=rtpmap:{pt} ")
            )
            lines.insert(rtpmap_index + 1, fmtp_prefix + _format(params))
        else:
            existing = dict(
                item.split("=", 1)
                for item in lines[index][len(fmtp_prefix) :].split(";")
                if "=" in item
            )
            lines[index] = fmtp_prefix + _format({**existing, **params})
    return newline.join(lines)


def _format(params: dict[str, str]) -> str:
    return ";".join(f"{key}={value}" for key, value in params.items())


def opus_params(sdp: str) -> dict[str, str]:
    """The fmtp parameters of the first Opus payload type (for tests and diagnostics)."""
    match = _RTPMAP.search(sdp)
    if not match:
        return {}
    fmtp = re.search(rf"^a=fmtp:{match.group(1)} (.*)$", sdp, re.MULTILINE)
    if not fmtp:
        return {}
    return dict(item.split("=", 1) for item in fmtp.group(1).strip().split(";") if "=" in item)
