"""Resolve every reference inside a FHIR R4 Bundle the way a receiver does (FHIR R4
"Resolving references in Bundles"): an absolute reference must equal the fullUrl of one
entry; a relative one only resolves against a RESTful fullUrl, which these Bundles lack."""

import re
import uuid

URN_UUID = re.compile(r"^urn:uuid:([0-9a-f-]{36})$")


def _references(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield path, item
            else:
                yield from _references(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _references(item, f"{path}[{n}]")


def resolve_all(bundle: dict) -> dict[str, str]:
    """Every reference (by its path) -> the resourceType it resolves to; fails on any other."""
    by_url = {}
    for entry in bundle["entry"]:
        match = URN_UUID.match(entry["fullUrl"])
        assert match, entry["fullUrl"]
        uuid.UUID(match.group(1))
        assert entry["fullUrl"] not in by_url, "two entries share a fullUrl"
        by_url[entry["fullUrl"]] = entry["resource"]
    resolved = {}
    for entry in bundle["entry"]:
        kind = entry["resource"]["resourceType"]
        for path, ref in _references(entry["resource"]):
            assert ref in by_url, f"{kind}{path} -> {ref} resolves to no entry"
            resolved[f"{kind}{path}"] = by_url[ref]["resourceType"]
    return resolved
