"""Ids and offsets beyond 64 bits, and request bodies of the wrong shape: 404 or 422, never
a 500 and never a write (issue items 4 and 5)."""

import pytest

from collab.api import api
from collab.core.bounds import MAX_ID
from collab.notifications.models import Recipient
from tests.notifications.factories import person

from .routes import project_routes

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"


@pytest.fixture
def nurse_with_unread(client):
    from collab.notifications.services import emit

    nurse = person("nurse")
    for n in range(3):
        emit(event_type="t.e", event_key=f"k{n}", people=[nurse], url="/somewhere/",
             message={"en": f"Item {n}", "km": f"ធាតុ {n}"})
    client.force_login(nurse.user)
    return nurse


@pytest.mark.parametrize("path", [
    f"/api/v1/chat/rooms/{HUGE}",
    f"/api/v1/chat/rooms/{MAX_ID + 1}/messages",
    f"/api/v1/chat/rooms/1/messages?before={HUGE}",
    f"/api/v1/notifications?offset={HUGE}",
    f"/api/v1/notifications?offset={MAX_ID}",
    f"/api/v1/consultations/appointments/{HUGE}/fhir",
    f"/api/v1/health/referrals/{HUGE}/fhir",
    f"/api/v1/training/attempts/{HUGE}",
    f"/notifications/{HUGE}/",
    f"/notifications/{MAX_ID + 1}/",
    f"/kb/pages/{HUGE}/pdf/",
    f"/chat/rooms/{HUGE}/",
    f"/health/referrals/{HUGE}/",
    f"/consultations/{HUGE}/",
    f"/learning/attempts/{HUGE}/",
])
def test_huge_ids_and_offsets_are_refused(client, django_user_model, path):
    client.force_login(django_user_model.objects.create_user("huge", password="x"))
    assert client.get(path).status_code in (404, 422)


def test_huge_ids_are_refused_for_anonymous_visitors_too(client):
    assert client.get(f"/kb/pages/{HUGE}/pdf/").status_code == 404
    assert client.get(f"/notifications/{HUGE}/").status_code == 404


def test_the_largest_id_is_still_a_route(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("huge", password="x"))
    assert client.get(f"/notifications/{MAX_ID}/").status_code == 404
    assert client.get(f"/api/v1/chat/rooms/{MAX_ID}").status_code == 403


@pytest.mark.parametrize("body", [
    '{"ids": [19605699517423390720]}', "-284", "[]", '"all"', "null", "true",
    '{"ids": 5}', '{"ids": [1], "all": true}', '{"ids": [0]}',
])
def test_mark_read_refuses_a_body_of_the_wrong_shape(client, nurse_with_unread, body):
    response = client.post("/api/v1/notifications/read", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["message"]
    assert Recipient.objects.filter(read_at__isnull=True).count() == 3


def test_mark_read_of_some_and_of_all(client, nurse_with_unread):
    first = Recipient.objects.order_by("pk").first().notification_id
    some = client.post("/api/v1/notifications/read", {"ids": [first]},
                       content_type="application/json")
    assert some.json()["changed"] == 1
    rest = client.post("/api/v1/notifications/read", {}, content_type="application/json")
    assert rest.json() == {"changed": 2, "unread": 0}


def _integers(node, where):
    if isinstance(node, dict):
        if node.get("type") == "integer":
            yield where, node
        for key, value in node.items():
            yield from _integers(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _integers(value, f"{where}/{i}")


def test_every_integer_a_client_sends_is_bounded():
    """A new endpoint that takes a plain `int` id fails here: use collab.core.bounds."""
    schema = api.get_openapi_schema()
    inputs = {"components": {
        name: s for name, s in schema["components"]["schemas"].items()
        if not name.endswith(("Out", "List")) and name not in {"Message", "Error"}
    }}
    for path, item in schema["paths"].items():
        for method, op in item.items():
            inputs[f"{method} {path}"] = [op.get("parameters", []), op.get("requestBody", {})]
    unbounded = [w for w, node in _integers(inputs, "") if "maximum" not in node]
    assert not unbounded


def test_no_project_route_takes_an_unbounded_int():
    """`<int:...>` accepts any length and overflows the database: use `<id:...>`."""
    assert not [r.pattern for r in project_routes() if "int" in r.converters]
