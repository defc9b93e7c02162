"""OpenID Connect with Authlib: the provider client, ID-token and logout-token checks.

Configured from the environment only (collab/settings.py, README "Configuration").
Authlib does the Authorization Code flow with PKCE (S256), ``state`` and ``nonce``, and
validates ID tokens (signature against the provider's JWKS, ``iss``, ``aud``, ``exp``,
``nonce``, ``at_hash``); this module turns its errors into short reasons for the audit log.
"""

from dataclasses import dataclass

from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    DecodeError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingAlgorithmError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from requests import RequestException

from .seam import VerifiedIdentity

NAME = "sahakar"
# amr values (RFC 8176) that mean a second factor was checked by the provider.
SECOND_FACTOR_AMR = {"mfa", "otp", "hwk", "swk", "sms", "tel", "sc", "fpt", "face", "iris"}
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LEEWAY = 60  # seconds of clock skew accepted on exp/iat


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    employee_id_claim: str
    name: str


def config() -> Config | None:
    """The provider's settings, or None when single sign-on is not configured."""
    issuer = getattr(settings, "SAHAKAR_OIDC_ISSUER", "")
    client_id = getattr(settings, "SAHAKAR_OIDC_CLIENT_ID", "")
    if not (issuer and client_id):
        return None
    return Config(
        issuer=issuer.rstrip("/"),
        client_id=client_id,
        client_secret=settings.SAHAKAR_OIDC_CLIENT_SECRET,
        scopes=settings.SAHAKAR_OIDC_SCOPES,
        employee_id_claim=settings.SAHAKAR_OIDC_EMPLOYEE_ID_CLAIM,
        name=settings.SAHAKAR_OIDC_PROVIDER_NAME,
    )


_clients: dict[Config, object] = {}


def client(conf: Config):
    """One Authlib client per configuration (it caches the discovery document and JWKS)."""
    if conf not in _clients:
        registry = OAuth()
        _clients[conf] = registry.register(
            name=NAME,
            client_id=conf.client_id,
            client_secret=conf.client_secret,
            server_metadata_url=f"{conf.issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": conf.scopes,
                "code_challenge_method": "S256",
                "default_timeout": 10,
            },
        )
    return _clients[conf]


class Refused(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


def reason_for(exc: Exception) -> str:
    """A short, stable reason for a failed token check (audit log, page)."""
    if isinstance(exc, ExpiredTokenError):
        return "expired"
    if isinstance(exc, ClaimError):
        return f"claim_{exc.claim}"  # claim_nonce, claim_aud, claim_iss...
    if isinstance(exc, InvalidKeyIdError):
        return "unknown_key"
    if isinstance(exc, UnsupportedAlgorithmError | MissingAlgorithmError):
        return "algorithm"
    if isinstance(exc, BadSignatureError):
        return "signature"
    if isinstance(exc, DecodeError):
        return "malformed"
    if isinstance(exc, OAuthError):
        return "state" if exc.error == "mismatching_state" else f"provider_{exc.error}"[:60]
    if isinstance(exc, RequestException):
        return "provider_unreachable"
    if isinstance(exc, JoseError):
        return "token"
    return "error"


def finish(request, conf: Config) -> tuple[VerifiedIdentity, dict]:
    """Complete the code flow of this callback request: check ``state``, redeem the code
    (with the PKCE verifier) and validate the ID token. Returns the verified identity and
    the token response; raises ``Refused``."""
    app = client(conf)
    try:
        token = app.authorize_access_token(
            request,
            # aud explicitly: Authlib alone only checks azp, so a token for another client
            # that names us in azp would pass.
            claims_options={
                "iss": {"essential": True, "values": [conf.issuer]},
                "aud": {"essential": True, "values": [conf.client_id]},
            },
            leeway=LEEWAY,
        )
    except (OAuthError, JoseError, RequestException) as exc:
        raise Refused(reason_for(exc), str(exc)) from exc
    claims = token.get("userinfo")
    if not claims:
        raise Refused("no_id_token")
    email = claims.get("email", "") if claims.get("email_verified") is True else ""
    amr = claims.get("amr") or []
    identity = VerifiedIdentity(
        issuer=conf.issuer,
        subject=str(claims["sub"]),
        employee_id=str(claims.get(conf.employee_id_claim) or ""),
        email=email,
        second_factor=bool(SECOND_FACTOR_AMR.intersection(amr if isinstance(amr, list) else [])),
        detail={"sid": str(claims.get("sid") or "")},
    )
    return identity, token


def logout_claims(conf: Config, logout_token: str) -> dict:
    """Validate a back-channel logout token (OIDC Back-Channel Logout 1.0, 2.6)."""
    app = client(conf)
    metadata = app.load_server_metadata()
    registry = JWSRegistry(
        algorithms=metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    )
    try:
        try:
            token = jwt.decode(logout_token, KeySet.import_key_set(app.fetch_jwk_set()),
                               registry=registry)  # fmt: skip
        except InvalidKeyIdError:  # the provider rotated its keys
            keys = KeySet.import_key_set(app.fetch_jwk_set(force=True))
            token = jwt.decode(logout_token, keys, registry=registry)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": conf.issuer},
            aud={"essential": True, "value": conf.client_id},
            iat={"essential": True},
            exp={"essential": True},
        ).validate(token.claims)
    except (JoseError, ValueError, RequestException) as exc:
        raise Refused(reason_for(exc), str(exc)) from exc
    claims = token.claims
    if BACKCHANNEL_EVENT not in (claims.get("events") or {}):
        raise Refused("claim_events")
    if "nonce" in claims:
        raise Refused("claim_nonce")
    if not (claims.get("sid") or claims.get("sub")):
        raise Refused("claim_sid")
    return claims
