from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from collab.accounts.services import create_token
from collab.core import clock
from tests.directory import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    moh = f.unit("MOH", kind="ministry", name_en="Ministry of Health", name_km="ក្រសួងសុខាភិបាល")
    prh = f.unit(
        "PRH-05", moh, kind="hospital", name_en="Kampong Speu Hospital",
        name_km="មន្ទីរពេទ្យកំពង់ស្ពឺ", province_code="05",
    )  # fmt: skip
    dara = f.person("Dara", "Sok", family_name_km="សុខ", given_name_km="ដារា", employee_id="E1")
    sophea = f.person("Sophea", "Chan", family_name_km="ចាន់", given_name_km="សុភា", employee_id="E2")
    f.person("Gone", "Sok", employee_id="E3", active=False)
    now = clock.now()
    f.position(prh, "unit-head approver", dara, title_en="Director", title_km="នាយក",
               acting_holder=sophea, acting_from=now - timedelta(days=1))  # fmt: skip
    f.position(prh, "nurse", sophea, title_en="Nurse", title_km="គិលានុបដ្ឋាយិកា")
    return moh, prh


@pytest.fixture
def api(client, world):
    client.force_login(get_user_model().objects.create_user("reader"))
    return client


def test_requires_authentication(client, world):
    response = client.get("/api/v1/directory/people")
    assert response.status_code == 401
    assert "message" in response.json()


def test_people_with_khmer_and_latin_names_and_positions(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        body = api.get("/api/v1/directory/people", {"q": "សុ"}).json()  # part of សុខ and សុភា
    assert body["count"] == 2
    by_id = {p["employee_id"]: p for p in body["items"]}
    dara = by_id["E1"]
    assert (dara["name_km"], dara["name_en"]) == ("សុខ ដារា", "Sok Dara")
    assert dara["positions"] == [
        {
            "title_en": "Director", "title_km": "នាយក",
            "unit": {"code": "PRH-05", "name_km": "មន្ទីរពេទ្យកំពង់ស្ពឺ", "name_en": "Kampong Speu Hospital"},  # noqa: E501
            "acting": False, "role_tags": ["unit-head", "approver"],
        }
    ]  # fmt: skip
    sophea = by_id["E2"]
    assert [(p["title_en"], p["acting"]) for p in sophea["positions"]] == [
        ("Nurse", False), ("Director", True),
    ]  # fmt: skip


def test_people_list_without_q_is_every_active_person(api):
    body = api.get("/api/v1/directory/people").json()
    assert [p["employee_id"] for p in body["items"]] == ["E2", "E1"]  # Chan, Sok
    assert body["count"] == 2


def test_pagination(api):
    for i in range(5):
        f.person(f"Extra{i}", "Zed")
    first = api.get("/api/v1/directory/people", {"limit": 3}).json()
    second = api.get("/api/v1/directory/people", {"limit": 3, "offset": 3}).json()
    assert first["count"] == second["count"] == 7
    assert len(first["items"]) == 3 and len(second["items"]) == 3
    ids = [p["employee_id"] for p in first["items"] + second["items"]]
    assert len(set(ids)) == 6


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_parameters_get_422_naming_the_field(api, params, field):
    for path in ("/api/v1/directory/people", "/api/v1/directory/units"):
        response = api.get(path, params)
        assert response.status_code == 422
        body = response.json()
        assert field in body["message"]
        assert [e["field"] for e in body["errors"]] == [field]


def test_units(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        body = api.get("/api/v1/directory/units", {"q": "ស្ពឺ"}).json()
    assert body["count"] == 1
    unit = body["items"][0]
    assert unit["code"] == "PRH-05" and unit["parent_code"] == "MOH"
    assert unit["name_en"] == "Kampong Speu Hospital" and unit["province_code"] == "05"
    assert api.get("/api/v1/directory/units").json()["count"] == 2


def test_single_unit_and_person(api):
    assert api.get("/api/v1/directory/units/MOH").json()["parent_code"] is None
    assert api.get("/api/v1/directory/units/NOPE").status_code == 404
    assert api.get("/api/v1/directory/people/E1").json()["name_en"] == "Sok Dara"
    missing = api.get("/api/v1/directory/people/E3")  # inactive: hidden from non-staff
    assert missing.status_code == 404 and missing.json() == {"message": "Person not found."}


def test_typeahead(api):
    body = api.get("/api/v1/directory/typeahead", {"q": "ស្ពឺ"}).json()
    assert body["items"] == [
        {"type": "unit", "key": "PRH-05", "name_km": "មន្ទីរពេទ្យកំពង់ស្ពឺ",
         "name_en": "Kampong Speu Hospital", "url": "/directory/units/PRH-05/"}
    ]  # fmt: skip
    people = api.get("/api/v1/directory/typeahead", {"q": "sok"}).json()
    assert [i["key"] for i in people["items"]] == ["E1"]
    assert api.get("/api/v1/directory/typeahead", {"q": ""}).status_code == 422


def test_bearer_token(client, world):
    user = get_user_model().objects.create_user("tokenuser")
    token = create_token(user=user, name="test")
    response = client.get("/api/v1/directory/people", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response.json()["count"] == 2
