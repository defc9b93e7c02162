"""RFC 6238 computed here, independently of django-otp: what a phone app would show."""

import base64
import hashlib
import hmac
import time


def totp(secret_b32: str, *, steps_ahead: int = 0) -> str:
    key = base64.b32decode(secret_b32)
    counter = int(time.time() // 30) + steps_ahead
    mac = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(int.from_bytes(mac[offset:offset + 4], 'big') & 0x7FFFFFFF) % 10**6:06d}"
