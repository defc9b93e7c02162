"""SCIM 2.0 Users (RFC 7643/7644) mapped onto the directory: the parsing and the writes.

A small, standards-exact implementation instead of django-scim2: that library maps SCIM
onto the login (``AUTH_USER_MODEL``) and its filter parser onto that model's columns,
while here the resource is the directory *Person* (employee id, names in Khmer and Latin
script, a post in a unit by code) and a login only exists once the person signs in.
"""

import re

from django.db import IntegrityError, transaction

from collab.accounts import audit
from collab.accounts.models import AccountEvent
from collab.directory.models import OrgUnit, Person, Position
from collab.directory.services import deactivate_people

from .models import ScimRecord

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SAHAKAR = "urn:sahakar:params:scim:schemas:extension:directory:2.0:User"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
FILTER_RE = re.compile(r'^\s*(userName|externalId|id)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.I)
VALUE_PATH_RE = re.compile(r'^(emails|phoneNumbers)\[type eq "(\w+)"\]\.value$', re.I)


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def body(self) -> dict:
        body = {"schemas": [ERROR], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def resource(person: Person, record: ScimRecord | None, location: str) -> dict:
    """The SCIM User of a directory person."""
    position = person.positions.select_related("unit").order_by("pk").first()
    body = {
        "schemas": [USER, ENTERPRISE, SAHAKAR],
        "id": str(person.pk),
        "userName": person.employee_id,
        "name": {
            "familyName": person.family_name_en,
            "givenName": person.given_name_en,
            "formatted": person.name_en,
        },
        "displayName": person.name_en,
        "active": person.active,
        "emails": [{"value": person.email, "type": "work", "primary": True}]
        if person.email else [],
        "phoneNumbers": [{"value": person.phone, "type": "work"}] if person.phone else [],
        ENTERPRISE: {"employeeNumber": person.employee_id},
        SAHAKAR: {"familyNameKm": person.family_name_km, "givenNameKm": person.given_name_km},
        "meta": {"resourceType": "User", "location": location},
    }
    if record is not None:
        if record.external_id:
            body["externalId"] = record.external_id
        body["meta"].update(
            created=record.created.isoformat(),
            lastModified=record.modified.isoformat(),
            version=f'W/"{int(record.modified.timestamp() * 1000)}"',
        )
    if position is not None:
        body["title"] = position.title_en
        body[SAHAKAR].update(orgUnitCode=position.unit.code, titleKm=position.title_km)
    return body


def parse_filter(text: str) -> tuple[str, str]:
    match = FILTER_RE.match(text or "")
    if not match:
        raise ScimError(400, 'Only the filters userName eq "…", externalId eq "…" and '
                        'id eq "…" are supported.', "invalidFilter")  # fmt: skip
    return match.group(1).lower(), match.group(2).replace('\\"', '"').replace("\\\\", "\\")


def _bool(value) -> bool:
    # Some providers (Entra ID) send booleans as strings in PATCH.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ScimError(400, "active must be true or false.", "invalidValue")


def _typed(items, wanted: str = "work") -> str:
    if not isinstance(items, list):
        raise ScimError(400, "emails and phoneNumbers are lists.", "invalidSyntax")
    chosen = next((i for i in items if isinstance(i, dict) and i.get("primary")), None)
    chosen = chosen or next((i for i in items if isinstance(i, dict)
                             and i.get("type") == wanted), None)  # fmt: skip
    chosen = chosen or (items[0] if items and isinstance(items[0], dict) else {})
    return str(chosen.get("value") or "")


def fields_from(body: dict) -> dict:
    """Directory fields named by a full SCIM User (POST, PUT)."""
    if not isinstance(body, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    name = body.get("name") or {}
    ext = body.get(SAHAKAR) or {}
    fields = {
        "employee_id": str(body.get("userName") or "").strip(),
        "family_name_en": str(name.get("familyName") or "").strip(),
        "given_name_en": str(name.get("givenName") or "").strip(),
        "family_name_km": str(ext.get("familyNameKm") or "").strip(),
        "given_name_km": str(ext.get("givenNameKm") or "").strip(),
        "email": _typed(body.get("emails") or []).strip(),
        "phone": _typed(body.get("phoneNumbers") or []).strip(),
        "active": _bool(body.get("active", True)),
        "external_id": str(body.get("externalId") or "").strip(),
        "unit_code": str(ext.get("orgUnitCode") or "").strip(),
        "title_en": str(body.get("title") or "").strip(),
        "title_km": str(ext.get("titleKm") or "").strip(),
    }
    _check(fields)
    return fields


def _check(fields: dict) -> None:
    if not fields["employee_id"]:
        raise ScimError(400, "userName (the employee id) is required.", "invalidValue")
    if len(fields["employee_id"]) > Person._meta.get_field("employee_id").max_length:
        raise ScimError(400, "userName is too long.", "invalidValue")
    if not (fields["family_name_en"] and fields["given_name_en"]):
        raise ScimError(400, "name.familyName and name.givenName are required.", "invalidValue")
    if fields["unit_code"] and not fields["title_en"]:
        raise ScimError(400, "A unit needs a title (the position held there).", "invalidValue")


PERSON_FIELDS = ("employee_id", "family_name_en", "given_name_en", "family_name_km",
                 "given_name_km", "email", "phone")  # fmt: skip


def create(fields: dict) -> Person:
    try:
        with transaction.atomic():
            person = Person(**{f: fields[f] for f in PERSON_FIELDS}, active=True)
            person.save()
            ScimRecord.objects.create(person=person, external_id=fields["external_id"])
            _place(person, fields)
            audit.record(kind=AccountEvent.Kind.PROVISIONED, method=AccountEvent.Method.SCIM,
                         username=person.employee_id, person=person.pk)  # fmt: skip
    except IntegrityError as exc:
        raise ScimError(409, "A person with this userName exists.", "uniqueness") from exc
    if not fields["active"]:
        set_active(person, False)
    return person


def replace(person: Person, fields: dict) -> Person:
    try:
        with transaction.atomic():
            for f in PERSON_FIELDS:
                setattr(person, f, fields[f])
            person.save()
            record, _ = ScimRecord.objects.get_or_create(person=person)
            record.external_id = fields["external_id"]
            record.save()
            _place(person, fields)
    except IntegrityError as exc:
        raise ScimError(409, "A person with this userName exists.", "uniqueness") from exc
    set_active(person, fields["active"])
    return person


def set_active(person: Person, active: bool) -> None:
    if person.active == active:
        return
    if not active:
        with transaction.atomic():
            deactivate_people(person_ids=[person.pk], method=AccountEvent.Method.SCIM)
    else:
        Person.objects.filter(pk=person.pk).update(active=True)
        if person.user_id:
            type(person.user).objects.filter(pk=person.user_id).update(is_active=True)
        audit.record(kind=AccountEvent.Kind.PROVISIONED, method=AccountEvent.Method.SCIM,
                     username=person.employee_id, reactivated=True)  # fmt: skip
    person.active = active


def _place(person: Person, fields: dict) -> None:
    """The person holds the post ``title`` in unit ``orgUnitCode`` (vacant one filled,
    else created); posts they got from provisioning or the HR import elsewhere are left."""
    if not fields["unit_code"]:
        return
    unit = OrgUnit.objects.filter(code=fields["unit_code"]).first()
    if unit is None:
        raise ScimError(400, f"No org unit with code {fields['unit_code']!r}.", "invalidValue")
    held = person.positions.filter(unit=unit, title_en=fields["title_en"]).first()
    if held is None:
        Position.objects.filter(holder=person, imported=True).update(holder=None, imported=False)
        held = (Position.objects.filter(unit=unit, title_en=fields["title_en"], holder=None)
                .order_by("pk").first())  # fmt: skip
        held = held or Position(unit=unit, title_en=fields["title_en"])
        held.holder = person
        held.imported = True
    if fields["title_km"]:
        held.title_km = fields["title_km"]
    held.save()


def apply_patch(person: Person, body: dict) -> Person:
    """RFC 7644 3.5.2: add/replace/remove operations on the attributes we map."""
    if not isinstance(body, dict) or PATCH not in (body.get("schemas") or []):
        raise ScimError(400, "A PATCH needs the PatchOp schema.", "invalidSyntax")
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Operations must be a non-empty list.", "invalidSyntax")
    current = resource(person, ScimRecord.objects.filter(person=person).first(), "")
    for op in operations:
        if not isinstance(op, dict):
            raise ScimError(400, "Each operation is an object.", "invalidSyntax")
        kind = str(op.get("op", "")).lower()
        if kind not in ("add", "replace", "remove"):
            raise ScimError(400, f"Unknown op {op.get('op')!r}.", "invalidSyntax")
        path = op.get("path")
        value = op.get("value")
        if path is None:
            if kind == "remove" or not isinstance(value, dict):
                raise ScimError(400, "Without a path the value must be an object.", "noTarget")
            for key, item in value.items():
                _set_path(current, key, item)
        else:
            _set_path(current, str(path), None if kind == "remove" else value)
    return replace(person, fields_from(current))


def _set_path(current: dict, path: str, value) -> None:
    for schema in (ENTERPRISE, SAHAKAR):
        if path.startswith(schema + ":"):
            current.setdefault(schema, {})[path[len(schema) + 1:]] = value
            return
    if path in (ENTERPRISE, SAHAKAR) and isinstance(value, dict):
        current.setdefault(path, {}).update(value)
        return
    match = VALUE_PATH_RE.match(path)
    if match:
        attribute, kind = match.groups()
        current[attribute] = [{"value": value, "type": kind}] if value else []
        return
    if path.startswith("name.") and path[5:] in ("familyName", "givenName"):
        current.setdefault("name", {})[path[5:]] = value
        return
    if path == "active":
        current["active"] = _bool(value)
        return
    if path in ("userName", "externalId", "title", "displayName", "name", "emails",
                "phoneNumbers"):  # fmt: skip
        current[path] = value
        return
    raise ScimError(400, f"The attribute {path!r} cannot be changed here.", "invalidPath")
