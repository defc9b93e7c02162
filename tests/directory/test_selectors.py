from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser, User

from collab.core import clock
from collab.directory.selectors import (
    people_in_unit,
    person_for_user,
    search_people,
    search_units,
    units_of_person,
    who_must_act,
)
from tests.directory import factories as f

pytestmark = pytest.mark.django_db

T = datetime(2026, 3, 10, 14, 0, tzinfo=ZoneInfo("Asia/Phnom_Penh"))
H = timedelta(hours=1)


@pytest.fixture
def tree():
    """MOH > PHD > OD > HC: four levels to walk up through."""
    moh = f.unit("MOH", kind="ministry", name_en="Ministry of Health", name_km="ក្រសួងសុខាភិបាល")
    phd = f.unit(
        "PHD-05", moh, kind="phd", name_en="Kampong Speu PHD", name_km="មន្ទីរសុខាភិបាលខេត្តកំពង់ស្ពឺ"
    )
    od = f.unit("OD-0501", phd, kind="od")
    hc = f.unit("HC-050101", od, kind="health_centre")
    return moh, phd, od, hc


def test_holder_of_tagged_position(tree):
    *_, hc = tree
    head = f.person("Dara")
    f.position(hc, "unit-head approver", head)
    f.position(hc, "hr", f.person("Other"))
    assert who_must_act(role="unit-head", unit=hc, at=T) == [head]
    assert who_must_act(role="approver", unit=hc, at=T) == [head]


def test_tag_is_matched_whole_not_as_prefix(tree):
    *_, hc = tree
    f.position(hc, "approver-deputy", f.person())
    assert who_must_act(role="approver", unit=hc, at=T) == []


def test_acting_holder_within_dates_wins_over_holder(tree):
    *_, hc = tree
    holder, acting = f.person("Holder"), f.person("Acting")
    f.position(hc, "unit-head", holder, acting_holder=acting, acting_from=T - H, acting_until=T + H)
    assert who_must_act(role="unit-head", unit=hc, at=T) == [acting]


def test_acting_expired_or_not_started_falls_back_to_holder(tree):
    *_, hc = tree
    holder, acting = f.person("Holder"), f.person("Acting")
    f.position(hc, "unit-head", holder, acting_holder=acting, acting_from=T - H, acting_until=T + H)
    assert who_must_act(role="unit-head", unit=hc, at=T + H) == [holder]  # until is exclusive
    assert who_must_act(role="unit-head", unit=hc, at=T + 48 * H) == [holder]
    assert who_must_act(role="unit-head", unit=hc, at=T - 2 * H) == [holder]


def test_open_ended_acting(tree):
    *_, hc = tree
    holder, acting = f.person("Holder"), f.person("Acting")
    f.position(hc, "unit-head", holder, acting_holder=acting, acting_from=T)
    assert who_must_act(role="unit-head", unit=hc, at=T - H) == [holder]
    assert who_must_act(role="unit-head", unit=hc, at=T + 1000 * H) == [acting]


def test_acting_fills_a_vacancy(tree):
    *_, od, hc = tree
    acting = f.person("Acting")
    f.position(od, "unit-head", f.person("Up"))
    f.position(hc, "unit-head", None, acting_holder=acting, acting_until=T + H)
    assert who_must_act(role="unit-head", unit=hc, at=T) == [acting]
    # Once the acting period ends the post is vacant again → walk up.
    assert who_must_act(role="unit-head", unit=hc, at=T + 2 * H)[0].given_name_en == "Up"


def test_inactive_acting_holder_falls_back_to_holder(tree):
    *_, hc = tree
    holder, acting = f.person("Holder"), f.person("Acting", active=False)
    f.position(hc, "unit-head", holder, acting_holder=acting)
    assert who_must_act(role="unit-head", unit=hc, at=T) == [holder]


def test_on_call_wins_over_roster(tree):
    *_, hc = tree
    rostered, on_call = f.person("Roster"), f.person("OnCall")
    f.position(hc, "specialist:paediatrics", rostered)
    f.shift(hc, "paediatrics", on_call, T - H, T + H)
    assert who_must_act(role="specialist:paediatrics", unit=hc, at=T) == [on_call]
    # Outside the shift (end exclusive) the roster answers.
    assert who_must_act(role="specialist:paediatrics", unit=hc, at=T + H) == [rostered]
    assert who_must_act(role="specialist:paediatrics", unit=hc, at=T - 2 * H) == [rostered]


def test_on_call_of_another_specialty_or_unit_is_ignored(tree):
    *_, od, hc = tree
    rostered = f.person("Roster")
    f.position(hc, "specialist:paediatrics", rostered)
    f.shift(hc, "surgery", f.person("Surgeon"), T - H, T + H)
    f.shift(f.unit("HC-OTHER", od), "paediatrics", f.person("Elsewhere"), T - H, T + H)
    assert who_must_act(role="specialist:paediatrics", unit=hc, at=T) == [rostered]


def test_on_call_needs_no_roster_and_returns_every_overlapping_shift(tree):
    *_, hc = tree
    a, b = f.person("A"), f.person("B")
    f.shift(hc, "paediatrics", b, T - H, T + H)
    f.shift(hc, "paediatrics", a, T - 2 * H, T + 2 * H)
    assert who_must_act(role="specialist:paediatrics", unit=hc, at=T) == [a, b]


def test_inactive_on_call_person_skipped_then_roster(tree):
    *_, hc = tree
    rostered = f.person("Roster")
    f.position(hc, "specialist:paediatrics", rostered)
    f.shift(hc, "paediatrics", f.person("Gone", active=False), T - H, T + H)
    assert who_must_act(role="specialist:paediatrics", unit=hc, at=T) == [rostered]


def test_on_call_in_child_unit_wins_over_roster_in_parent(tree):
    *_, od, hc = tree
    f.position(od, "specialist:paediatrics", f.person("ParentRoster"))
    child_on_call = f.person("ChildOnCall")
    f.shift(hc, "paediatrics", child_on_call, T - H, T + H)
    assert who_must_act(role="specialist:paediatrics", unit=hc, at=T) == [child_on_call]


def test_vacancy_walks_up_several_levels(tree):
    moh, phd, od, hc = tree
    minister = f.person("Minister")
    f.position(moh, "approver", minister)
    f.position(hc, "approver", None)  # vacant post
    f.position(od, "approver", None)
    assert who_must_act(role="approver", unit=hc, at=T) == [minister]
    director = f.person("Director")
    f.position(phd, "approver", director)
    assert who_must_act(role="approver", unit=hc, at=T) == [director]


def test_inactive_holder_counts_as_vacant(tree):
    *_, od, hc = tree
    f.position(hc, "hr", f.person("Left", active=False))
    up = f.person("Up")
    f.position(od, "hr", up)
    assert who_must_act(role="hr", unit=hc, at=T) == [up]


def test_walks_up_to_a_parent_on_call(tree):
    _, phd, od, hc = tree
    on_call = f.person("Provincial")
    f.shift(phd, "paediatrics", on_call, T - H, T + H)
    assert who_must_act(role="specialist:paediatrics", unit=hc, at=T) == [on_call]
    assert who_must_act(role="specialist:paediatrics", unit=hc, at=T + 2 * H) == []


def test_nobody_anywhere_returns_empty(tree):
    *_, hc = tree
    assert who_must_act(role="unit-head", unit=hc, at=T) == []


def test_same_person_in_two_positions_returned_once(tree):
    *_, hc = tree
    p = f.person()
    f.position(hc, "approver", p, title_en="A")
    f.position(hc, "approver", p, title_en="B")
    assert who_must_act(role="approver", unit=hc, at=T) == [p]


def test_several_holders_in_one_unit_all_returned_in_title_order(tree):
    *_, hc = tree
    a, b = f.person("A"), f.person("B")
    f.position(hc, "hr", b, title_en="Z officer")
    f.position(hc, "hr", a, title_en="A officer")
    assert who_must_act(role="hr", unit=hc, at=T) == [a, b]


def test_default_time_is_the_suite_clock(tree, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    *_, hc = tree
    now = clock.now()
    roster, on_call = f.person("Roster"), f.person("Later")
    f.position(hc, "specialist:paediatrics", roster)
    f.shift(hc, "paediatrics", on_call, now + 24 * H, now + 26 * H)
    assert who_must_act(role="specialist:paediatrics", unit=hc) == [roster]
    clock.set_offset(25 * 3600)
    try:
        assert who_must_act(role="specialist:paediatrics", unit=hc) == [on_call]
    finally:
        clock.set_offset(None)


def test_query_count_is_constant_in_depth(tree, django_assert_max_num_queries):
    moh, *_, hc = tree
    parent = hc
    for i in range(10):
        parent = f.unit(f"DEEP-{i}", parent)
    f.position(moh, "specialist:paediatrics", f.person())
    f.position(moh, "approver", f.person())
    with django_assert_max_num_queries(2):
        assert len(who_must_act(role="specialist:paediatrics", unit=parent, at=T)) == 1
    with django_assert_max_num_queries(1):
        assert len(who_must_act(role="approver", unit=parent, at=T)) == 1


# --- people_in_unit / units_of_person / person_for_user ---


def test_people_in_unit_with_and_without_descendants(tree):
    _, phd, od, hc = tree
    top, low, gone = f.person("Top"), f.person("Low"), f.person("Gone", active=False)
    acting, expired = f.person("Acting"), f.person("Expired")
    f.position(phd, "", top)
    f.position(hc, "", low)
    f.position(hc, "", gone)
    f.position(hc, "", None, acting_holder=acting)
    f.position(hc, "", None, acting_holder=expired, acting_until=T - H)
    f.position(od, "", None)  # vacant
    assert set(people_in_unit(unit=phd, at=T)) == {top, low, acting}
    assert list(people_in_unit(unit=phd, include_descendants=False, at=T)) == [top]
    assert set(people_in_unit(unit=hc, at=T)) == {low, acting}


def test_people_in_unit_does_not_leak_into_sibling_with_shared_code_prefix(tree):
    _, phd, *_ = tree
    sibling = f.unit("PHD-05X", phd.parent)
    f.position(sibling, "", f.person("Sibling"))
    assert list(people_in_unit(unit=phd, at=T)) == []


def test_units_of_person(tree):
    _, phd, od, hc = tree
    p = f.person()
    f.position(hc, "", p)
    f.position(od, "", None, acting_holder=p, acting_from=T - H, acting_until=T + H)
    assert list(units_of_person(person=p, at=T)) == [od, hc]
    assert list(units_of_person(person=p, at=T + 2 * H)) == [hc]


def test_person_for_user():
    user = User.objects.create_user("u1")
    assert person_for_user(user) is None
    assert person_for_user(AnonymousUser()) is None
    assert person_for_user(None) is None
    p = f.person(user=user)
    user.refresh_from_db()
    assert person_for_user(user) == p


# --- search ---


@pytest.fixture
def people():
    return [
        f.person("Dara", "Sok", family_name_km="សុខ", given_name_km="ដារា"),
        f.person("Sophea", "Chan", family_name_km="ចាន់", given_name_km="សុភា"),
        f.person(
            "Vanna", "Sok", family_name_km="សុខ", given_name_km="វណ្ណា", email="vanna@moh.gov.kh"
        ),
        f.person("Dara", "Keo", family_name_km="កែវ", given_name_km="ដារា", active=False),
    ]


def test_search_people_by_part_of_khmer_name(people):
    dara, sophea, vanna, _ = people
    assert list(search_people("ដា")) == [dara]  # part of the given name
    assert list(search_people("សុខ")) == [dara, vanna]
    assert list(search_people("ខដា")) == [dara]  # across family/given, typed without a space
    assert list(search_people("សុខ\u200bវណ្")) == [vanna]  # zero-width space ignored
    assert list(search_people("សុភ")) == [sophea]


def test_search_people_latin_is_case_insensitive_and_all_terms_must_match(people):
    dara, _, vanna, _ = people
    assert list(search_people("sok")) == [dara, vanna]
    assert list(search_people("SOK dar")) == [dara]
    assert list(search_people("sok dara")) == [dara]
    assert list(search_people("vanna@moh.gov.kh")) == [vanna]
    assert list(search_people("sok nobody")) == []


def test_search_people_skips_inactive_unless_asked(people):
    *_, gone = people
    assert gone not in search_people("keo")
    assert list(search_people("keo", include_inactive=True)) == [gone]


def test_search_empty_query_finds_nothing(people):
    assert list(search_people("")) == []
    assert list(search_people("   ")) == []
    assert list(search_units("")) == []


def test_search_units_khmer_latin_and_code(tree):
    moh, phd, *_ = tree
    assert list(search_units("កំពង់ស្ពឺ")) == [phd]
    assert list(search_units("ស្ពឺ")) == [phd]
    assert list(search_units("kampong speu")) == [phd]
    assert list(search_units("phd-05")) == [phd]
    assert moh in search_units("health")


def test_search_query_count(people, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        list(search_people("sok dara"))


def test_search_follows_renames_through_save_and_update_fields(people):
    dara, *_ = people
    dara.given_name_km = "ដារ៉ាវី"
    dara.save(update_fields=["given_name_km"])
    assert list(search_people("រ៉ាវី")) == [dara]
    assert list(search_people("E")) == list(search_people("e"))  # ids are matched lower-cased
