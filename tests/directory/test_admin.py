from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from collab.directory.models import OnCallShift, OrgUnit, Position
from tests.directory import factories as f

pytestmark = pytest.mark.django_db
T = datetime(2026, 3, 10, 14, 0, tzinfo=ZoneInfo("Asia/Phnom_Penh"))


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", password="x-Secret-1"))
    return client


def _inline_management(prefix: str) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
    }  # fmt: skip


def _unit_form(unit: OrgUnit, **changes) -> dict:
    data = {
        "code": unit.code, "kind": unit.kind, "name_km": unit.name_km, "name_en": unit.name_en,
        "parent": unit.parent_id or "", "email": "", "phone": "", "province_code": "",
        "district_code": "", "commune_code": "",
        **_inline_management("positions"), **_inline_management("shifts"),
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "url",
    [
        "/admin/directory/orgunit/", "/admin/directory/person/", "/admin/directory/position/",
        "/admin/directory/oncallshift/", "/admin/directory/orgunit/add/",
        "/admin/directory/person/add/", "/admin/directory/position/add/",
        "/admin/directory/oncallshift/add/",
    ],
)  # fmt: skip
def test_admin_pages_open(admin_client, url):
    f.position(f.unit("MOH"), "approver", f.person())
    assert admin_client.get(url).status_code == 200


def test_unit_change_page_has_position_and_shift_inlines(admin_client):
    unit = f.unit("MOH")
    f.position(unit, "approver", f.person(), title_en="Minister")
    html = admin_client.get(f"/admin/directory/orgunit/{unit.pk}/change/").content.decode()
    assert "Minister" in html and 'name="positions-TOTAL_FORMS"' in html
    assert 'name="shifts-TOTAL_FORMS"' in html


def test_changelist_search_in_khmer_and_latin(admin_client):
    f.person("Dara", "Sok", family_name_km="សុខ", given_name_km="ដារា")
    f.person("Sophea", "Chan", family_name_km="ចាន់", given_name_km="សុភា")
    html = admin_client.get("/admin/directory/person/", {"q": "ដារា"}).content.decode()
    assert "Sok Dara" in html and "Chan Sophea" not in html
    html = admin_client.get("/admin/directory/person/", {"q": "chan"}).content.decode()
    assert "Chan Sophea" in html and "Sok Dara" not in html


def test_autocomplete_finds_person_by_khmer_name(admin_client):
    p = f.person("Dara", "Sok", family_name_km="សុខ", given_name_km="ដារា")
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": "ដារា",
            "app_label": "directory",
            "model_name": "position",
            "field_name": "holder",
        },
    )
    assert [r["id"] for r in response.json()["results"]] == [str(p.pk)]


def test_unit_cannot_move_under_its_own_descendant_and_nothing_is_lost(admin_client):
    moh = f.unit("MOH", name_en="Ministry")
    child = f.unit("PHD", moh)
    response = admin_client.post(
        f"/admin/directory/orgunit/{moh.pk}/change/",
        _unit_form(moh, parent=child.pk, name_en="Renamed ministry"),
    )
    assert response.status_code == 200  # the form again, with the error
    assert "cannot be placed under itself" in response.content.decode()
    assert 'value="Renamed ministry"' in response.content.decode()  # the input is kept
    moh.refresh_from_db()
    assert moh.parent is None and moh.name_en == "Ministry"


def test_moving_a_unit_rewrites_descendant_paths(admin_client):
    moh, other = f.unit("MOH"), f.unit("OTHER")
    phd = f.unit("PHD", moh)
    hc = f.unit("HC", phd)
    response = admin_client.post(
        f"/admin/directory/orgunit/{phd.pk}/change/", _unit_form(phd, parent=other.pk)
    )
    assert response.status_code == 302
    hc.refresh_from_db()
    assert hc.path == "/OTHER/PHD/HC/"


def test_bad_unit_code_is_refused(admin_client):
    response = admin_client.post(
        "/admin/directory/orgunit/add/",
        _unit_form(OrgUnit(code="BAD CODE", kind="office", name_km="ក", name_en="X")),
    )
    assert "Use letters, digits" in response.content.decode()
    assert not OrgUnit.objects.exists()


def test_position_acting_dates_and_tags_are_checked(admin_client):
    unit, holder, acting = f.unit("MOH"), f.person("H"), f.person("A")
    response = admin_client.post(
        "/admin/directory/position/add/",
        {
            "unit": unit.pk, "title_en": "Director", "title_km": "នាយក", "holder": holder.pk,
            "acting_holder": acting.pk, "acting_from_0": "2026-03-10", "acting_from_1": "12:00",
            "acting_until_0": "2026-03-09", "acting_until_1": "12:00",
            "role_tags": "approver Unit Head!",
        },
    )  # fmt: skip
    html = response.content.decode()
    assert "The acting period must end after it starts." in html
    assert "Invalid tag(s): Unit, Head!" in html
    assert 'value="Director"' in html
    assert not Position.objects.exists()


def test_shift_must_end_after_it_starts(admin_client):
    unit, person = f.unit("MOH"), f.person()
    response = admin_client.post(
        "/admin/directory/oncallshift/add/",
        {
            "unit": unit.pk, "specialty": "paediatrics", "person": person.pk,
            "starts_at_0": "2026-03-10", "starts_at_1": "19:00",
            "ends_at_0": "2026-03-10", "ends_at_1": "07:00",
        },
    )  # fmt: skip
    assert "A shift must end after it starts." in response.content.decode()
    assert not OnCallShift.objects.exists()
