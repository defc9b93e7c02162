"""A JSON body with a lone surrogate escape ("\\ud800") parses in Python but can be neither
stored nor sent back as UTF-8: every API operation that takes a body refuses it with 400
and changes nothing (it was a 500 on `POST /api/v1/chat/rooms`)."""

import re

import pytest

from collab.api import api
from realtime.chat.models import Room

pytestmark = pytest.mark.django_db

def _operations_with_a_body():
    for path, item in api.get_openapi_schema()["paths"].items():
        for method, operation in item.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                yield method.upper(), re.sub(r"\{[^}]+\}", "1", path)


OPERATIONS = sorted(_operations_with_a_body())


def test_operations_were_found():
    assert ("POST", "/api/v1/chat/rooms") in OPERATIONS and len(OPERATIONS) > 10


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[" ".join(o) for o in OPERATIONS])
def test_a_lone_surrogate_in_a_body_is_a_400(client, admin_user, method, path):
    client.force_login(admin_user)
    body = '{"name": "a\\ud800b", "body": "\\udfff", "client_id": "c1"}'
    response = client.generic(method, path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json() == {"message": "Cannot parse request body"}


def test_a_room_named_with_a_lone_surrogate_is_not_created(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/api/v1/chat/rooms", '{"kind": "private", "name": "\\udfff"}',
                           content_type="application/json")
    assert response.status_code == 400
    assert not Room.objects.exists()
