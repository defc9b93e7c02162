"""Passkeys (WebAuthn) with py_webauthn: the options sent to the browser and the checks of
what it sends back. The relying party is the host the page was served from (ALLOWED_HOSTS
already vouches for it) unless ``SAHAKAR_WEBAUTHN_RP_ID`` names a parent domain.

The challenge of a ceremony lives in the session and is popped before the answer is checked,
so each one can be answered once. Passkeys are asked to verify the user (PIN or biometrics):
a passkey alone is two factors, something held and something known or been."""

import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .models import Passkey

REGISTRATION = "sahakar_passkey_registration"
AUTHENTICATION = "sahakar_passkey_authentication"
TIMEOUT_MS = 120_000


class PasskeyRefused(Exception):
    """The browser's answer does not prove a registered passkey; ``reason`` is for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class NewPasskey:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: list[str]


def rp_id(request: HttpRequest) -> str:
    return settings.SAHAKAR_WEBAUTHN_RP_ID or request.get_host().rsplit(":", 1)[0]


def _origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _descriptors(passkeys) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=bytes(p.credential_id),
            transports=[AuthenticatorTransport(t) for t in p.transports
                        if t in AuthenticatorTransport._value2member_map_],
        )  # fmt: skip
        for p in passkeys
    ]


def registration_options(request: HttpRequest, user: AbstractBaseUser) -> str:
    """The JSON for ``navigator.credentials.create``; a resident (discoverable) key, so it
    can later sign in without a username."""
    options = generate_registration_options(
        rp_id=rp_id(request),
        rp_name="Sahakar",
        user_id=str(user.pk).encode(),
        user_name=user.get_username(),
        user_display_name=user.get_full_name() or user.get_username(),
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(Passkey.objects.filter(user=user)),
    )
    request.session[REGISTRATION] = {"user": user.pk, "challenge": options.challenge.hex()}
    return options_to_json(options)


def check_registration(request: HttpRequest, user: AbstractBaseUser, credential: dict):
    state = request.session.pop(REGISTRATION, None)
    if not state or state["user"] != user.pk:
        raise PasskeyRefused("no registration under way")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=bytes.fromhex(state["challenge"]),
            expected_rp_id=rp_id(request),
            expected_origin=_origin(request),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRefused(f"registration refused: {exc}"[:200]) from exc
    transports = credential.get("response", {}).get("transports") or []
    return NewPasskey(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[t for t in transports if isinstance(t, str)][:8],
    )


def authentication_options(request: HttpRequest, user: AbstractBaseUser | None) -> str:
    """The JSON for ``navigator.credentials.get``: any passkey of this site when nobody is
    known yet (the browser lists them), else only the passkeys of ``user``."""
    allowed = _descriptors(Passkey.objects.filter(user=user)) if user is not None else []
    options = generate_authentication_options(
        rp_id=rp_id(request),
        timeout=TIMEOUT_MS,
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    request.session[AUTHENTICATION] = {
        "user": user.pk if user is not None else None, "challenge": options.challenge.hex(),
    }  # fmt: skip
    return options_to_json(options)


def check_authentication(request: HttpRequest, credential: dict) -> tuple[Passkey, int]:
    """The passkey that signed this session's challenge, and its new signature counter."""
    state = request.session.pop(AUTHENTICATION, None)
    if not state:
        raise PasskeyRefused("no sign-in under way")
    try:
        raw_id = base64url_to_bytes(credential["rawId"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PasskeyRefused("malformed credential") from exc
    passkey = Passkey.objects.select_related("user").filter(credential_id=raw_id).first()
    if passkey is None:
        raise PasskeyRefused("unknown passkey")
    if state["user"] is not None and passkey.user_id != state["user"]:
        raise PasskeyRefused("passkey of another account")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=bytes.fromhex(state["challenge"]),
            expected_rp_id=rp_id(request),
            expected_origin=_origin(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRefused(f"signature refused: {exc}"[:200]) from exc
    return passkey, verified.new_sign_count


def parse(body: bytes) -> dict:
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise PasskeyRefused("not JSON") from exc
    if not isinstance(data, dict):
        raise PasskeyRefused("not a JSON object")
    return data
