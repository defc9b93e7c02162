"""A provider that answers with ID tokens a test makes (for tokens no real provider
would issue: wrong nonce, audience or issuer, expired, ``alg: none``, an unknown key)."""

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class RogueProvider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "k2"}, private=True)
        self.id_token = ""
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _json(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._json(provider.metadata())
                elif self.path == "/jwks":
                    self._json(KeySet([provider.key]).as_dict(private=False))
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != "/token":
                    return self.send_error(404)
                self._json({"access_token": "opaque", "token_type": "Bearer",
                            "expires_in": 60, "id_token": provider.id_token})  # fmt: skip

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def claims(self, *, nonce: str, aud: str, **overrides) -> dict:
        now = int(time.time())
        return {"iss": self.issuer, "sub": "rogue-1", "aud": aud, "nonce": nonce,
                "iat": now, "exp": now + 300, "employee_id": "E900", **overrides}  # fmt: skip

    def sign(self, claims: dict, *, key: RSAKey | None = None) -> str:
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def unsigned(self, claims: dict) -> str:
        return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."

    def stop(self) -> None:
        self.server.shutdown()
