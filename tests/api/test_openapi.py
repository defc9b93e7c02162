"""The OpenAPI schema says what the server enforces and documents every error answer."""

import pytest

from collab.api import api


@pytest.fixture(scope="module")
def schema():
    return api.get_openapi_schema()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            yield f"{method.upper()} {path}", op


def test_error_answers_are_documented_with_their_json_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["message"]
    missing = []
    for name, op in _operations(schema):
        statuses = {str(s) for s in op["responses"]}
        wanted = set()
        if op.get("security"):
            wanted |= {"401", "403"}
        if op.get("parameters") or "requestBody" in op:
            wanted.add("422")
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            wanted.add("404")
        missing += [f"{name} {s}" for s in wanted - statuses]
    assert not missing
    assert "429" in {str(s) for s in schema["paths"]["/api/v1/chat/rooms/{room_id}/messages"]
                     ["post"]["responses"]}


def _body_schema(schema, path, method):
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_json_bodies_refuse_unknown_properties_in_schema_and_server(schema):
    for name, op in _operations(schema):
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert schema["components"]["schemas"][ref].get("additionalProperties") is False, name


def test_a_chat_message_body_may_not_be_empty(schema):
    body = _body_schema(schema, "/api/v1/chat/rooms/{room_id}/messages", "post")
    assert body["properties"]["body"]["minLength"] == 1


@pytest.mark.django_db
def test_an_unknown_property_is_a_422(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nurse", password="x"))
    response = client.post("/api/v1/chat/presence", {"status": "away", "mood": "tired"},
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("mood")
