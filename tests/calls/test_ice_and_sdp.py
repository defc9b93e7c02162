import base64
import hashlib
import hmac

import pytest
from aiortc import RTCPeerConnection

from realtime.calls.ice import ice_servers, turn_credentials
from realtime.calls.sdp import opus_params, tune_opus


def test_no_ice_server_unless_configured(settings):
    settings.SAHAKAR_STUN_URL = ""
    settings.SAHAKAR_TURN_URL = ""
    assert ice_servers(user_key="7") == []


def test_turn_credentials_follow_the_coturn_rest_scheme(settings):
    settings.SAHAKAR_TURN_URL = "turn:turn.example:3478"
    settings.SAHAKAR_TURN_SECRET = "s3cret"
    username, credential = turn_credentials(user_key="42", ttl=600, at=1_000_000)
    assert username == "1000600:42"
    expected = hmac.new(b"s3cret", b"1000600:42", hashlib.sha1).digest()
    assert base64.b64decode(credential) == expected
    [server] = ice_servers(user_key="42")
    assert server["urls"] == ["turn:turn.example:3478"] and server["username"].endswith(":42")


def test_turn_credentials_never_outlive_an_hour():
    with pytest.raises(ValueError):
        turn_credentials(user_key="1", ttl=3601)


async def test_opus_is_tuned_for_speech_on_a_real_aiortc_offer():
    pc = RTCPeerConnection()
    pc.addTransceiver("audio")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    assert opus_params(sdp).get("useinbandfec") != "1"
    params = opus_params(tune_opus(sdp))
    assert params["useinbandfec"] == "1" and params["usedtx"] == "1"
    assert params["stereo"] == "0" and int(params["maxaveragebitrate"]) <= 32000
