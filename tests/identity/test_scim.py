"""SCIM 2.0 Users with requests shaped like RFC 7644's examples."""

import json

import pytest
from django.contrib.auth.models import Permission

from collab.accounts.models import AccountEvent, PersonalToken
from collab.accounts.services import create_token
from collab.directory.models import Person
from collab.identity import scim

from .helpers import person, unit

pytestmark = pytest.mark.django_db
CT = "application/scim+json"


@pytest.fixture
def bearer(django_user_model):
    robot = django_user_model.objects.create_user("idp-provisioning")
    robot.user_permissions.add(Permission.objects.get(codename="provision_people"))
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=robot, name='SCIM')}"}


def send(client, method, path, bearer, body=None):
    data = json.dumps(body) if body is not None else ""
    response = getattr(client, method)(f"/scim/v2/{path}", data, content_type=CT, **bearer)
    return response, (json.loads(response.content) if response.content else None)


# RFC 7644 3.3, with the enterprise and Sahakar extensions for the directory.
CREATE = {
    "schemas": [scim.USER, scim.SAHAKAR],
    "userName": "E500",
    "externalId": "idp-500",
    "name": {"familyName": "Chan", "givenName": "Sophea"},
    "emails": [{"value": "sophea@moh.gov.kh", "type": "work", "primary": True}],
    "phoneNumbers": [{"value": "+855 12 345 678", "type": "work"}],
    "title": "Midwife",
    scim.SAHAKAR: {"familyNameKm": "ចាន់", "givenNameKm": "សុភា", "orgUnitCode": "HC-1",
                   "titleKm": "ឆ្មប"},
}  # fmt: skip


def test_create_maps_to_the_directory(client, bearer):
    unit("HC-1")
    response, body = send(client, "post", "Users", bearer, CREATE)
    assert response.status_code == 201, body
    assert response["Content-Type"] == CT
    p = Person.objects.get(employee_id="E500")
    assert (p.family_name_en, p.given_name_en, p.family_name_km, p.given_name_km) == (
        "Chan", "Sophea", "ចាន់", "សុភា")  # fmt: skip
    assert (p.email, p.phone, p.active, p.user) == ("sophea@moh.gov.kh", "+855 12 345 678",
                                                    True, None)  # fmt: skip
    post = p.positions.get()
    assert (post.unit.code, post.title_en, post.title_km) == ("HC-1", "Midwife", "ឆ្មប")
    assert body["id"] == str(p.pk) and body["externalId"] == "idp-500"
    assert response["Location"].endswith(f"/scim/v2/Users/{p.pk}")
    assert body[scim.SAHAKAR]["orgUnitCode"] == "HC-1"
    assert AccountEvent.objects.filter(kind="provisioned", method="scim").count() == 1
    again, error = send(client, "post", "Users", bearer, CREATE)
    assert again.status_code == 409 and error["scimType"] == "uniqueness"


def test_filter_username_eq(client, bearer):
    person("E501")
    person("E502")
    response, body = send(client, "get", 'Users?filter=userName eq "E502"', bearer)
    assert response.status_code == 200
    assert body["schemas"] == [scim.LIST] and body["totalResults"] == 1
    assert body["Resources"][0]["userName"] == "E502"
    _, none = send(client, "get", 'Users?filter=userName eq "nobody"', bearer)
    assert none["totalResults"] == 0 and none["Resources"] == []
    bad, error = send(client, "get", 'Users?filter=name.givenName sw "D"', bearer)
    assert bad.status_code == 400 and error["scimType"] == "invalidFilter"


def test_patch_active_false_deactivates(client, bearer, django_user_model,
                                        django_capture_on_commit_callbacks):  # fmt: skip
    p = person("E503")
    login = django_user_model.objects.create_user("e503", password="pw-503-xyz")
    p.user = login
    p.save()
    create_token(user=login, name="script")
    client.force_login(login)
    patch = {"schemas": [scim.PATCH],
             "Operations": [{"op": "replace", "path": "active", "value": False}]}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response, body = send(client, "patch", f"Users/{p.pk}", bearer, patch)

    assert response.status_code == 200 and body["active"] is False
    p.refresh_from_db()
    login.refresh_from_db()
    assert not p.active and not login.is_active
    assert not PersonalToken.objects.filter(user=login).exists()
    assert client.get("/").status_code == 302  # its session is gone
    kinds = set(AccountEvent.objects.filter(user=login).values_list("kind", "method"))
    assert {("deactivated", "scim"), ("token_revoked", "scim")} <= kinds


def test_patch_without_path_and_entra_style_strings(client, bearer):
    p = person("E504")
    patch = {"schemas": [scim.PATCH], "Operations": [
        {"op": "Replace", "value": {"name.givenName": "Bopha", "active": "True"}},
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "b@moh.gov.kh"},
    ]}  # fmt: skip
    response, body = send(client, "patch", f"Users/{p.pk}", bearer, patch)
    assert response.status_code == 200, body
    p.refresh_from_db()
    assert (p.given_name_en, p.email, p.active) == ("Bopha", "b@moh.gov.kh", True)


def test_bad_requests_lose_nothing(client, bearer):
    response, error = send(client, "post", "Users", bearer, {**CREATE, "userName": ""})
    assert response.status_code == 400 and error["schemas"] == [scim.ERROR]
    unknown_unit = {**CREATE, scim.SAHAKAR: {**CREATE[scim.SAHAKAR], "orgUnitCode": "NOPE"}}
    response, error = send(client, "post", "Users", bearer, unknown_unit)
    assert response.status_code == 400 and "NOPE" in error["detail"]
    assert not Person.objects.exists()
    assert send(client, "get", "Users/999999", bearer)[0].status_code == 404


def test_a_token_without_the_permission_or_no_token_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user("plain")
    plain = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user, name='x')}"}
    assert send(client, "get", "Users", plain)[0].status_code == 403
    response, _ = send(client, "get", "Users", {})
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
