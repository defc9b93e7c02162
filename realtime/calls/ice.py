"""ICE servers for a join: nothing external unless configured; TURN credentials per join.

TURN uses coturn's shared-secret REST scheme (``use-auth-secret``): the username is
"<unix expiry>:<user id>" and the password is base64(HMAC-SHA1(secret, username)), so the
TURN server can check it without a database and it stops working at the expiry.
"""

import base64
import hashlib
import hmac
import time

from django.conf import settings

TURN_CREDENTIAL_TTL = 3600  # seconds; the issue allows at most one hour


def turn_credentials(*, user_key: str, ttl: int = TURN_CREDENTIAL_TTL, at: float | None = None):
    if not 0 < ttl <= TURN_CREDENTIAL_TTL:
        raise ValueError("TURN credentials live at most one hour.")
    expiry = int((time.time() if at is None else at) + ttl)
    username = f"{expiry}:{user_key}"
    digest = hmac.new(settings.SAHAKAR_TURN_SECRET.encode(), username.encode(), hashlib.sha1)
    return username, base64.b64encode(digest.digest()).decode()


def ice_servers(*, user_key: str) -> list[dict]:
    """RTCIceServer dicts for the browser (and aiortc) for one join."""
    servers: list[dict] = []
    if settings.SAHAKAR_STUN_URL:
        servers.append({"urls": [settings.SAHAKAR_STUN_URL]})
    if settings.SAHAKAR_TURN_URL and settings.SAHAKAR_TURN_SECRET:
        username, credential = turn_credentials(user_key=user_key)
        servers.append(
            {"urls": [settings.SAHAKAR_TURN_URL], "username": username, "credential": credential}
        )
    return servers
