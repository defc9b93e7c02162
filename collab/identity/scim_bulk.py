"""SCIM Bulk (RFC 7644 3.7): many operations in one request, for the first provisioning of
a whole ministry. New Users that carry everything the HR import needs (names in both
scripts, a unit and a title) are written together by ``import_directory`` (batched inserts,
one search and chat/training pass per batch); every other operation runs one by one through
the same code as its single request."""

import csv
import io

from django.db import transaction

from collab.accounts.models import AccountEvent
from collab.core import clock
from collab.directory.csv_rows import COLUMNS
from collab.directory.models import Person
from collab.directory.services import import_directory

from . import scim
from .models import ScimRecord

BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
MAX_OPERATIONS = 1000
MAX_PAYLOAD = 4 * 1024 * 1024


def _batchable(fields: dict) -> bool:
    return bool(fields["active"] and fields["unit_code"] and fields["family_name_km"]
                and fields["given_name_km"])  # fmt: skip


def _csv(batch: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for f in batch:
        writer.writerow([f["employee_id"], f["family_name_km"], f["given_name_km"],
                         f["family_name_en"], f["given_name_en"], f["email"], f["phone"],
                         f["unit_code"], f["title_en"], f["title_km"]])  # fmt: skip
    return out.getvalue().encode()


def _create_together(batch: list[dict]) -> dict[str, Person] | None:
    """Create these new people at once; None when the HR import's checks refuse one (the
    caller then creates them one by one, each with its own answer)."""
    with transaction.atomic():
        if import_directory(data=_csv(batch)).errors:
            return None
        people = Person.objects.in_bulk([f["employee_id"] for f in batch],
                                        field_name="employee_id")  # fmt: skip
        ScimRecord.objects.bulk_create(
            ScimRecord(person=people[f["employee_id"]], external_id=f["external_id"])
            for f in batch
        )
        now = clock.now()
        AccountEvent.objects.bulk_create(
            AccountEvent(at=now, kind=AccountEvent.Kind.PROVISIONED, username=f["employee_id"],
                         method=AccountEvent.Method.SCIM,
                         detail={"person": people[f["employee_id"]].pk, "bulk": True})
            for f in batch
        )  # fmt: skip
    return people


def _operations(body) -> list[dict]:
    if not isinstance(body, dict) or BULK_REQUEST not in (body.get("schemas") or []):
        raise scim.ScimError(400, "A Bulk request needs the BulkRequest schema.", "invalidSyntax")
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise scim.ScimError(400, "Operations must be a non-empty list.", "invalidSyntax")
    if len(operations) > MAX_OPERATIONS:
        raise scim.ScimError(413, f"At most {MAX_OPERATIONS} operations per request.",
                             "tooMany")  # fmt: skip
    if not all(isinstance(op, dict) for op in operations):
        raise scim.ScimError(400, "Each operation is an object.", "invalidSyntax")
    return operations


def run(body, *, single, location) -> dict:
    """The BulkResponse. ``single(method, path, data) -> (status, person pk or None, error
    body or None)`` runs one operation the way its own request would (scim_views);
    ``location(pk)`` is a User's address."""
    operations = _operations(body)
    fail_on_errors = body.get("failOnErrors")
    results: list[dict | None] = [None] * len(operations)
    new: dict[str, tuple[int, dict]] = {}
    for i, op in enumerate(operations):
        if str(op.get("method", "")).upper() == "POST" and op.get("path") == "/Users":
            try:
                fields = scim.fields_from(op.get("data"))
            except scim.ScimError:
                continue  # answered by the one-by-one path
            if _batchable(fields) and fields["employee_id"] not in new:
                new[fields["employee_id"]] = (i, fields)
    taken = set(Person.objects.filter(employee_id__in=new).values_list("employee_id", flat=True))
    batch = [(i, f) for key, (i, f) in new.items() if key not in taken]
    people = _create_together([f for _i, f in batch]) if batch else None
    for i, f in batch if people else []:
        results[i] = {"status": "201", "location": location(people[f["employee_id"]].pk)}
    errors = 0
    for i, op in enumerate(operations):
        if results[i] is None:
            if fail_on_errors and errors >= fail_on_errors:
                break
            status, pk, error = single(str(op.get("method", "")).upper(),
                                       str(op.get("path", "")), op.get("data"))  # fmt: skip
            results[i] = {"status": str(status)}
            if pk is not None:
                results[i]["location"] = location(pk)
            if error is not None:
                results[i]["response"] = error
                errors += 1
    return {"schemas": [BULK_RESPONSE], "Operations": [
        {"method": op.get("method"), "bulkId": op.get("bulkId"), **result}
        for op, result in zip(operations, results, strict=True) if result is not None
    ]}  # fmt: skip
