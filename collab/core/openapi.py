"""The error answers of the JSON API, written into its OpenAPI schema in one place.

Every error the API gives is JSON with at least a `message`; the statuses each operation
can answer follow from what it takes (credentials, path ids, a body) and from its area."""

ERROR = {
    "title": "Error",
    "type": "object",
    "properties": {
        "message": {"type": "string", "description": "Human-readable, in the caller's language"},
        "code": {"type": "string", "description": "Machine-readable reason (chat, training)"},
        "errors": {
            "type": "array",
            "description": "One entry per invalid field (422)",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["message"],
}

DESCRIPTIONS = {
    400: "Malformed request (e.g. a body that is not JSON)",
    401: "No valid session or Bearer token (`WWW-Authenticate: Bearer`)",
    403: "Signed in, but not allowed",
    404: "No such object, or not one the caller may see",
    409: "Conflicts with the object's state (e.g. an archived room)",
    410: "Gone (e.g. a deleted message)",
    413: "Upload too large",
    415: "File type not accepted",
    422: "Invalid input; `errors` names the fields",
    429: "Too many requests; `Retry-After` says when to try again",
}

# Statuses beyond the common ones, per router tag, for operations that write.
WRITE_ERRORS_BY_TAG = {"chat": (409, 410, 413, 415, 429)}


def _statuses(operation: dict, method: str) -> set[int]:
    params = operation.get("parameters", [])
    statuses = set()
    if operation.get("security"):
        statuses |= {401, 403}
    if params or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses.add(400)
    if any(p.get("in") == "path" for p in params):
        statuses.add(404)
    if method != "get":
        for tag in operation.get("tags", []):
            statuses.update(WRITE_ERRORS_BY_TAG.get(tag, ()))
    return statuses


def document_errors(schema: dict) -> dict:
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in schema["paths"].values():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(_statuses(operation, method)):
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": DESCRIPTIONS[status], "content": ref}
    return schema
