import pytest

from collab.accounts.models import PersonalToken
from collab.accounts.services import create_token
from collab.directory.models import OrgUnit, Person, Position

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/directory/people"


@pytest.fixture
def token(member):
    unit = OrgUnit.objects.create(code="MOH", kind="ministry", name_en="Ministry of Health",
                                  name_km="ក្រសួងសុខាភិបាល")
    person = Person.objects.create(employee_id="E7", family_name_km="សុខ", given_name_km="ដារា",
                                   family_name_en="Sok", given_name_en="Dara")
    Position.objects.create(unit=unit, title_en="Director", holder=person)
    return create_token(user=member, name="script")


def test_bearer_token_reads_the_directory(client, token):
    response = client.get(f"{PEOPLE}?q=ដារា", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0]["employee_id"] == "E7"
    assert PersonalToken.objects.get().last_used is not None


def test_a_bad_token_gets_401_json(client, token):
    response = client.get(PEOPLE, headers={"Authorization": "Bearer sk_not-a-real-token"})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]


def test_no_credentials_get_401_json(client, db):
    response = client.get(PEOPLE)
    assert response.status_code == 401
    assert "message" in response.json()


def test_a_revoked_token_stops_working(client, token, member):
    from collab.accounts.services import revoke_token

    revoke_token(user=member, token_id=PersonalToken.objects.get().pk)
    response = client.get(PEOPLE, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_session_login_also_reads_the_api(client, member, token):
    client.force_login(member)
    assert client.get(PEOPLE).status_code == 200


def test_token_use_is_recorded_without_a_write_per_request(
    client, token, django_assert_max_num_queries
):
    headers = {"Authorization": f"Bearer {token}"}
    client.get(PEOPLE, headers=headers)  # records last_used once
    # token+user, then the directory's own: people, positions, acting positions, count
    with django_assert_max_num_queries(5) as queries:
        assert client.get(PEOPLE, headers=headers).status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
