from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from collab.core import clock
from tests.directory import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    moh = f.unit("MOH", kind="ministry", name_en="Ministry of Health", name_km="ក្រសួងសុខាភិបាល")
    phd = f.unit("PHD-05", moh, kind="phd", name_en="Kampong Speu PHD", name_km="មន្ទីរកំពង់ស្ពឺ")
    hospital = f.unit(
        "PRH-05", phd, kind="hospital", name_en="Kampong Speu Hospital",
        name_km="មន្ទីរពេទ្យកំពង់ស្ពឺ", phone="+855 25 123 456", email="prh@moh.gov.kh",
    )  # fmt: skip
    f.unit("HC-1", phd, kind="health_centre", name_en="Basaed Health Centre")
    director = f.person("Dara", "Sok", family_name_km="សុខ", given_name_km="ដារា", phone="+855 12 1")
    deputy = f.person("Sophea", "Chan", family_name_km="ចាន់", given_name_km="សុភា")
    paed = f.person("Chanthou", "Keo", family_name_km="កែវ", given_name_km="ចន្ធូ")
    now = clock.now()
    f.position(
        hospital, "unit-head approver", director, title_en="Director", title_km="នាយក",
        acting_holder=deputy, acting_from=now - timedelta(days=1),
        acting_until=now + timedelta(days=3),
    )  # fmt: skip
    f.position(hospital, "specialist:paediatrics", paed, title_en="Paediatrician")
    f.position(hospital, "", None, title_en="Head of laboratory")
    f.shift(hospital, "paediatrics", paed, now - timedelta(hours=1), now + timedelta(hours=5))
    user = get_user_model().objects.create_user("viewer", password="x-Secret-1")
    return {
        "hospital": hospital,
        "director": director,
        "deputy": deputy,
        "paed": paed,
        "user": user,
    }


@pytest.fixture
def viewer(client, world):
    client.force_login(world["user"])
    return client


@pytest.mark.parametrize(
    "url",
    ["/directory/", "/directory/search?q=sok", "/directory/units/MOH/", "/directory/people/E1/"],
)
def test_login_required(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_index_lists_roots_and_children(viewer, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        html = viewer.get("/directory/").content.decode()
    assert "Ministry of Health" in html and "Kampong Speu PHD" in html
    assert 'href="/directory/units/PHD-05/"' in html
    assert "2 units" in html  # the PHD has two child units


def test_unit_page_shows_positions_holders_acting_vacancy_contacts_and_on_call(
    viewer, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = viewer.get(reverse("directory:unit", args=["PRH-05"]))
    html = response.content.decode()
    assert "Kampong Speu Hospital" in html and "+855 25 123 456" in html
    assert "Sok Dara" in html and "Acting:" in html and "Chan Sophea" in html
    assert "vacant" in html and "Head of laboratory" in html
    on_call = html.split('id="on-call"')[1].split("</section>")[0]
    assert "Paediatrics" in on_call and "Keo Chanthou" in on_call
    assert 'href="/directory/units/PHD-05/"' in html  # breadcrumb


def test_unit_page_query_count_does_not_grow_with_positions(
    viewer, world, django_assert_max_num_queries
):
    for i in range(30):
        f.position(world["hospital"], "nurse", f.person(f"N{i}"), title_en=f"Nurse {i}")
    with django_assert_max_num_queries(8):
        assert viewer.get("/directory/units/PRH-05/").status_code == 200


def test_unknown_unit_is_404(viewer):
    assert viewer.get("/directory/units/NOPE/").status_code == 404


def test_person_page(viewer, world):
    html = viewer.get(f"/directory/people/{world['deputy'].employee_id}/").content.decode()
    assert "ចាន់ សុភា" in html and "Chan Sophea" in html
    assert "Director" in html and "acting" in html
    paed = viewer.get(f"/directory/people/{world['paed'].employee_id}/").content.decode()
    assert 'id="shifts"' in paed and "Paediatrics" in paed


def test_inactive_person_hidden_from_non_staff(viewer, world, client):
    gone = f.person("Gone", active=False)
    assert viewer.get(f"/directory/people/{gone.employee_id}/").status_code == 404
    staff = get_user_model().objects.create_user("staff", is_staff=True)
    client.force_login(staff)
    assert client.get(f"/directory/people/{gone.employee_id}/").status_code == 200


def test_search_part_of_khmer_name_finds_the_person(viewer, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        response = viewer.get("/directory/search", {"q": "ន្ធ"})  # inside ចន្ធូ
    people = response.content.decode().split('id="people"')[1].split("</section>")[0]
    assert "Keo Chanthou" in people and "Sok Dara" not in people
    assert "Paediatrician" in people  # with the person's position


def test_search_finds_units_and_latin_names(viewer, world):
    html = viewer.get("/directory/search", {"q": "kampong speu"}).content.decode()
    units = html.split('id="units"')[1]
    assert "Kampong Speu Hospital" in units and "Kampong Speu PHD" in units
    html = viewer.get("/directory/search", {"q": "SOK"}).content.decode()
    assert "Sok Dara" in html.split('id="people"')[1]


def test_search_query_count_does_not_grow_with_results(
    viewer, world, django_assert_max_num_queries
):
    for i in range(40):
        f.position(world["hospital"], "", f.person(f"Many{i}", "Sok"), title_en=f"Post {i}")
    with django_assert_max_num_queries(7):
        html = viewer.get("/directory/search", {"q": "sok"}).content.decode()
    assert "Page 1 of 2" in html


def test_search_in_khmer_interface(viewer, world):
    viewer.post("/i18n/setlang/", {"language": "km", "next": "/directory/"})
    html = viewer.get("/directory/search", {"q": "សុខ"}).content.decode()
    assert '<span lang="km">សុខ ដារា</span>' in html
    assert "ស្វែងរកក្នុងបញ្ជីឈ្មោះ" in html  # "Directory search", from the Khmer catalogue


def test_empty_search_shows_only_the_form(viewer):
    html = viewer.get("/directory/search").content.decode()
    assert 'id="dir-q"' in html and 'id="people"' not in html
