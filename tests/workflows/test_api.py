"""/api/v1/workflows/: definitions, start, inbox, decide, and their error answers."""

import pytest

from collab.accounts.services import create_token
from collab.workflows.models import Entry, Request

from .conftest import LEAVE

pytestmark = pytest.mark.django_db
BASE = "/api/v1/workflows"


def _post(client, url, body, **extra):
    return client.post(url, body, content_type="application/json", **extra)


def test_start_then_the_approver_decides(client, world):
    client.force_login(world.nurse.user)
    [leave, purchase] = [d for d in client.get(f"{BASE}/definitions").json()
                         if d["key"] in ("leave-request", "purchase-request")]
    assert (leave["key"], leave["version"], purchase["key"]) == (
        "leave-request", 1, "purchase-request")
    assert [f["name"] for f in leave["fields"]] == ["leave_type", "first_day", "days", "reason"]
    response = _post(client, f"{BASE}/requests", {"definition": "leave-request",
                                                  "data": {**LEAVE, "days": 5}})
    assert response.status_code == 201
    started = response.json()
    [step] = started["steps"]
    assert (started["status"], started["data"]["days"], step["unit"], step["status"]) == (
        "running", 5, "HC", "open")

    client.force_login(world.head.user)
    [waiting] = client.get(f"{BASE}/inbox").json()
    assert waiting["id"] == step["id"] and waiting["request"] == started["id"]
    url = f"{BASE}/steps/{step['id']}/decision"
    first = _post(client, url, {"decision": "approved"})
    again = _post(client, url, {"decision": "approved"})
    assert (first.status_code, first.json()["counted"]) == (200, True)
    assert (again.status_code, again.json()["counted"]) == (200, False)
    assert Entry.objects.filter(kind="approved").count() == 1
    other = _post(client, url, {"decision": "rejected", "reason": "No"})
    assert other.status_code == 409 and other.json()["message"]
    assert client.get(f"{BASE}/inbox").json() == []

    detail = client.get(f"{BASE}/requests/{started['id']}").json()
    assert [s["task"] for s in detail["steps"]] == ["unit_head", "parent_approver"]


def test_error_answers(client, world):
    client.force_login(world.nurse.user)
    assert _post(client, f"{BASE}/requests", {"definition": "nope", "data": {}}).status_code == 404
    bad = _post(client, f"{BASE}/requests", {"definition": "leave-request",
                                             "data": {**LEAVE, "days": 0}})
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["days"]
    extra = _post(client, f"{BASE}/requests", {"definition": "leave-request", "data": LEAVE,
                                               "priority": "high"})
    assert extra.status_code == 422
    started = _post(client, f"{BASE}/requests", {"definition": "leave-request", "data": LEAVE})
    step_id = started.json()["steps"][0]["id"]
    # The requester may see the request but not decide its step.
    mine = _post(client, f"{BASE}/steps/{step_id}/decision", {"decision": "approved"})
    assert mine.status_code == 403
    client.force_login(world.head.user)
    why = _post(client, f"{BASE}/steps/{step_id}/decision", {"decision": "returned"})
    assert why.status_code == 422 and why.json()["errors"][0]["field"] == "reason"
    maybe = _post(client, f"{BASE}/steps/{step_id}/decision", {"decision": "maybe"})
    assert maybe.status_code == 422
    assert _post(client, f"{BASE}/steps/{2**63}/decision", {"decision": "approved"}
                 ).status_code == 422
    assert _post(client, f"{BASE}/steps/999999/decision", {"decision": "approved"}
                 ).status_code == 404
    client.force_login(world.deputy.user)
    assert client.get(f"{BASE}/requests/{started.json()['id']}").status_code == 404
    world.leave.scope = world.org.hospital
    world.leave.save()
    client.force_login(world.nurse.user)
    assert _post(client, f"{BASE}/requests", {"definition": "leave-request", "data": LEAVE}
                 ).status_code == 403
    assert Request.objects.count() == 1


def test_a_bearer_token_works_and_no_credentials_is_401(client, world):
    token = create_token(user=world.head.user, name="phone")
    assert client.get(f"{BASE}/inbox").status_code == 401
    response = client.get(f"{BASE}/inbox", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response.json() == []


def test_the_openapi_schema_documents_every_error(client):
    schema = client.get("/api/v1/openapi.json").json()
    decision = schema["paths"]["/api/v1/workflows/steps/{step_id}/decision"]["post"]
    assert {"401", "403", "404", "409", "422"} <= set(map(str, decision["responses"]))
    start = schema["paths"]["/api/v1/workflows/requests"]["post"]
    assert {"401", "403", "404", "422"} <= set(map(str, start["responses"]))
