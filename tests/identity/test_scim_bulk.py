"""SCIM Bulk (RFC 7644 3.7): complete new Users are written together by the HR import's
batched path, everything else one by one with the answer its own request would get."""

import pytest

from collab.accounts.models import AccountEvent
from collab.directory.models import Person, Position
from collab.identity import scim
from collab.identity.models import ScimRecord
from collab.identity.scim_bulk import BULK_REQUEST, BULK_RESPONSE, MAX_OPERATIONS

from . import test_scim
from .helpers import unit
from .test_scim import CREATE, send

pytestmark = pytest.mark.django_db
bearer = test_scim.bearer  # the service account's token, as in test_scim


def user(n: int, **changes) -> dict:
    body = {**CREATE, "userName": f"E{n}", "externalId": f"idp-{n}",
            "emails": [{"value": f"p{n}@moh.gov.kh", "type": "work"}]}  # fmt: skip
    return {**body, **changes}


def post(n: int, **changes) -> dict:
    return {"method": "POST", "path": "/Users", "bulkId": f"b{n}", "data": user(n, **changes)}


def bulk(client, bearer, operations, **extra):
    body = {"schemas": [BULK_REQUEST], "Operations": operations, **extra}
    return send(client, "post", "Bulk", bearer, body)


def test_new_people_are_created_together(client, bearer):
    unit("HC-1")
    response, body = bulk(client, bearer, [post(n) for n in range(1, 6)])
    assert response.status_code == 200 and body["schemas"] == [BULK_RESPONSE]
    assert [op["status"] for op in body["Operations"]] == ["201"] * 5
    assert [op["bulkId"] for op in body["Operations"]] == [f"b{n}" for n in range(1, 6)]
    sophea = Person.objects.get(employee_id="E3")
    assert body["Operations"][2]["location"].endswith(f"/scim/v2/Users/{sophea.pk}")
    assert (sophea.family_name_km, sophea.email, sophea.active) == ("ចាន់", "p3@moh.gov.kh", True)
    post3 = sophea.positions.get()
    assert (post3.unit.code, post3.title_en, post3.title_km) == ("HC-1", "Midwife", "ឆ្មប")
    assert ScimRecord.objects.get(person=sophea).external_id == "idp-3"
    events = AccountEvent.objects.filter(kind="provisioned", method="scim")
    assert sorted(events.values_list("username", flat=True)) == [f"E{n}" for n in range(1, 6)]
    # Read back as a single request would be: the same resource.
    _response, one = send(client, "get", f"Users/{sophea.pk}", bearer)
    assert one["userName"] == "E3" and one["externalId"] == "idp-3"
    assert one[scim.SAHAKAR]["orgUnitCode"] == "HC-1"


def test_each_other_operation_gets_its_own_answer(client, bearer):
    unit("HC-1")
    send(client, "post", "Users", bearer, user(1))
    existing = Person.objects.get(employee_id="E1")
    no_khmer = user(4, **{scim.SAHAKAR: {"orgUnitCode": "HC-1"}})
    operations = [
        post(1),  # exists already: 409
        post(2),  # batched
        post(2),  # the same userName twice in one request: the second is refused
        {"method": "POST", "path": "/Users", "bulkId": "b3", "data": user(3, title="")},
        {"method": "POST", "path": "/Users", "bulkId": "b4", "data": no_khmer},
        {"method": "PATCH", "path": f"/Users/{existing.pk}", "data": {
            "schemas": [scim.PATCH], "Operations": [{"op": "replace", "path": "active",
                                                     "value": False}]}},
        {"method": "DELETE", "path": "/Users/999999"},
        {"method": "GET", "path": "/Groups"},
    ]  # fmt: skip
    response, body = bulk(client, bearer, operations)
    statuses = [op["status"] for op in body["Operations"]]
    assert statuses == ["409", "201", "409", "400", "201", "200", "404", "400"]
    assert body["Operations"][0]["response"]["scimType"] == "uniqueness"
    assert not Person.objects.get(pk=existing.pk).active
    assert Person.objects.get(employee_id="E4").positions.get().unit.code == "HC-1"
    assert not Person.objects.filter(employee_id="E3").exists()


def test_refused_by_the_import_checks_falls_back_one_by_one(client, bearer):
    unit("HC-1")
    latin_in_khmer = post(2, **{scim.SAHAKAR: {"familyNameKm": "Chan", "givenNameKm": "Sophea",
                                               "orgUnitCode": "HC-1"}})  # fmt: skip
    response, body = bulk(client, bearer, [post(1), latin_in_khmer])
    assert [op["status"] for op in body["Operations"]] == ["201", "201"]
    assert Person.objects.filter(employee_id__in=["E1", "E2"]).count() == 2
    assert Position.objects.filter(holder__employee_id="E2").exists()


def test_fail_on_errors_stops_the_rest(client, bearer):
    unit("HC-1")
    operations = [{"method": "DELETE", "path": "/Users/999998"},
                  {"method": "DELETE", "path": "/Users/999999"}, post(1, title="")]  # fmt: skip
    _response, body = bulk(client, bearer, operations, failOnErrors=1)
    assert [op["status"] for op in body["Operations"]] == ["404"]


def test_malformed_and_oversized_requests(client, bearer):
    response, body = send(client, "post", "Bulk", bearer, {"Operations": [post(1)]})
    assert response.status_code == 400 and body["scimType"] == "invalidSyntax"
    too_many = [{"method": "DELETE", "path": "/Users/1"}] * (MAX_OPERATIONS + 1)
    response, body = bulk(client, bearer, too_many)
    assert response.status_code == 413 and body["scimType"] == "tooMany"
    response, _body = send(client, "get", "Bulk", bearer)
    assert response.status_code == 405
    response, _body = bulk(client, {}, [post(1)])
    assert response.status_code == 401


def test_the_provider_config_offers_bulk(client, bearer):
    _response, body = send(client, "get", "ServiceProviderConfig", bearer)
    assert body["bulk"] == {"supported": True, "maxOperations": MAX_OPERATIONS,
                            "maxPayloadSize": 4 * 1024 * 1024}  # fmt: skip
