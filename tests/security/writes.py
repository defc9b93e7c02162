"""The bodies of the authorization matrix's state-changing requests.

Every write row (an API POST/PUT/PATCH/DELETE, an HTML route that takes POST only) has a
body here that a role allowed to make the change gets a success for: schema-valid, built
from the matrix's samples (tests/security/matrix.py). A write route without a body here
fails the matrix like a route without a row. ``{}`` is the body of a route that takes no
fields.

Some refusals look like successes: a route that acts on the caller's own objects answers the
same redirect whether or not the id was theirs. For those, ``EFFECTS`` takes a snapshot of
the sample before and after the request; the matrix marks the cell with ``*`` when the
sample changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile


@dataclass(frozen=True)
class Write:
    data: dict = field(default_factory=dict)
    encoding: str = "json"  # json (the API), form (HTML forms), multipart (uploads)
    query: str = ""

    def send(self, client, method: str, url: str):
        url = f"{url}?{self.query}" if self.query else url
        if self.encoding == "json":
            return client.generic(method, url, json.dumps(self.data),
                                  content_type="application/json")
        return client.post(url, self.data)  # form-encoded, or multipart with a file


def _form(**data) -> Callable[[dict], Write]:
    return lambda world: Write(data, encoding="form")


def _json(**data) -> Callable[[dict], Write]:
    return lambda world: Write(data)


NOTHING = _json()  # an API operation without a request body
NO_FIELDS = _form()  # an HTML form of one button


def _upload(world) -> Write:
    from .matrix import png

    image = SimpleUploadedFile("ward.png", png(), "image/png")  # a new file per request
    return Write({"file": image, "body": "The ward plan"}, encoding="multipart")


def _lab_result(world) -> Write:
    return Write({"health_id": world["health_id"], "ordering_doctor": world["doctor_id"],
                  "test_code": "K", "test_name": "Potassium", "value": "4.1",
                  "unit": "mmol/L", "external_id": "matrix-k-1"})


def _leave_request(world) -> Write:
    return Write({"definition": "leave-request", "data": {
        "leave_type": "annual", "first_day": "2027-01-04", "days": 2, "reason": "Wedding"}})


BODIES: dict[str, Callable[[dict], Write]] = {
    # HTML forms
    "set_language": _form(language="en"),
    "accounts:logout": NO_FIELDS,
    "accounts:recovery_codes": NO_FIELDS,
    "accounts:mfa_remove": NO_FIELDS,
    "accounts:passkey_add_options": NO_FIELDS,
    # A WebAuthn attestation needs an authenticator: tests/accounts cover a real one.
    "accounts:passkey_add": NO_FIELDS,
    "accounts:passkey_sign_in_options": NO_FIELDS,
    "accounts:passkey_sign_in": NO_FIELDS,
    "accounts:passkey_remove": NO_FIELDS,
    "accounts:profile_language": _form(language="km"),
    "accounts:session_end": NO_FIELDS,
    "accounts:sessions_end_others": NO_FIELDS,
    "accounts:token_create": _form(name="Matrix laptop"),
    "accounts:token_revoke": NO_FIELDS,
    "notifications:read_all": NO_FIELDS,
    "notifications:ack": NO_FIELDS,
    "notifications:read": NO_FIELDS,
    "consultations:sign_note": _form(subjective="Cough for 4 days", objective="T 37.5",
                                     assessment="Bronchitis", plan="Rest",
                                     reason="Temperature corrected"),
    "consultations:issue_link": NO_FIELDS,
    "consultations:revoke_link": NO_FIELDS,
    "consultations:admit": NO_FIELDS,
    "consultations:status": _form(status="finished"),
    "consultations:consent": NO_FIELDS,
    "calls:start_from_room": NO_FIELDS,
    "training:enrol": NO_FIELDS,
    "training:renew": NO_FIELDS,
    "training:start": NO_FIELDS,
    "training:submit": NO_FIELDS,
    "knowledge:feedback": _form(helpful="yes", comment="Clear and short"),
    "knowledge:subscription": _form(action="subscribe"),
    # API operations
    "POST /chat/rooms": _json(kind="private", name="Night shift", members=["nurse"]),
    "PATCH /chat/rooms/{room_id}": _json(topic="Handover at 07:00"),
    "POST /chat/rooms/{room_id}/join": NOTHING,
    "POST /chat/rooms/{room_id}/leave": NOTHING,
    "POST /chat/rooms/{room_id}/members": _json(usernames=["trainee"]),
    "DELETE /chat/rooms/{room_id}/members/{username}": NOTHING,
    "PUT /chat/rooms/{room_id}/members/{username}/role": _json(role="moderator"),
    "POST /chat/rooms/{room_id}/messages": _json(body="Bed 5 too", client_id="matrix-1"),
    "POST /chat/rooms/{room_id}/files": _upload,
    "POST /chat/rooms/{room_id}/read": lambda world: Write({"message": world["message_id"]}),
    "POST /chat/rooms/{room_id}/mute": _json(value=True),
    "POST /chat/presence": _json(status="away"),
    "PATCH /chat/messages/{message_id}": _json(body="Bed 4 needs a review today"),
    "DELETE /chat/messages/{message_id}": NOTHING,
    "POST /chat/messages/{message_id}/reactions": _json(emoji="👍"),
    "DELETE /chat/messages/{message_id}/reactions": lambda world: Write(query="emoji=👀"),
    "POST /chat/messages/{message_id}/pin": _json(value=True),
    "POST /health/lab-results": _lab_result,
    "POST /notifications/{notification_id}/ack": NOTHING,
    "POST /notifications/{notification_id}/read": NOTHING,
    "POST /notifications/read": lambda world: Write({"ids": [world["notification_id"]]}),
    "POST /knowledge/articles/{page_id}/feedback": _json(helpful=True, comment="Useful"),
    "PUT /knowledge/spaces/{space_id}/subscription": _json(subscribed=True),
    "POST /training/quizzes/{quiz_id}/attempts": NOTHING,
    "PUT /training/attempts/{attempt_id}/answers/{position}":
        lambda world: Write({"response": world["answer"]}),
    "POST /training/attempts/{attempt_id}/submit": NOTHING,
    "POST /workflows/requests": _leave_request,
    "POST /workflows/steps/{step_id}/decision": _json(decision="approved"),
    "POST /workflows/steps/{step_id}/delegation":
        lambda world: Write({"to": world["delegate_id"], "note": "Covering this week"}),
}


def _model(model_path: str):
    from django.apps import apps

    return apps.get_model(model_path)


def _snapshot(model_path: str, key: str) -> Callable[[dict], object]:
    def take(world):
        return list(_model(model_path).objects.filter(pk=world[key]).values())

    return take


# Own-object routes that answer every caller with the same redirect.
EFFECTS: dict[str, Callable[[dict], object]] = {
    "accounts:token_revoke": _snapshot("accounts.PersonalToken", "token_id"),
    "accounts:session_end": _snapshot("accounts.SessionRecord", "record_id"),
    "accounts:passkey_remove": _snapshot("accounts.Passkey", "passkey_id"),
    "training:renew": _snapshot("training.Enrolment", "enrolment_id"),
    # The guest's consent sends it back to its visit page, as every refusal does.
    "consultations:consent": lambda world: list(
        _model("consultations.RecordingConsent").objects
        .filter(appointment=world["appointment_id"]).order_by("pk").values()
    ),
}
