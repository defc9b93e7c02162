"""Name search through the databases' own indexes: ranking, short prefixes, index upkeep."""

import pytest
from django.db import connection

from collab.directory.models import Person
from collab.directory.selectors import search_people
from collab.directory.services import import_directory
from tests.directory import factories as f

pytestmark = pytest.mark.django_db


def names(q: str) -> list[str]:
    return [p.name_en for p in search_people(q)]


def test_exact_name_parts_rank_before_starts_before_other_parts():
    f.person("Darath", "Chan")  # starts with "dara"
    f.person("Sodara", "Lim")  # "dara" inside a part
    f.person("Dara", "Keo")  # exact part
    f.person("Dara", "Ath")  # exact part, sorts first by family name
    assert names("dara") == ["Ath Dara", "Keo Dara", "Chan Darath", "Lim Sodara"]


def test_a_full_name_ranks_first_in_khmer_typed_with_or_without_a_space():
    exact = f.person("Dara", "Sok", family_name_km="សុខ", given_name_km="ដារា")
    longer = f.person("Darany", "Sok", family_name_km="សុខ", given_name_km="ដារ៉ានី")
    assert list(search_people("សុខ ដារា"))[0] == exact
    assert list(search_people("សុខដារា")) == [exact]
    assert set(search_people("សុខ ដារ")) == {exact, longer}


def test_terms_shorter_than_three_characters_match_the_start_of_a_name_part():
    sophea = f.person("Sophea", "Chan", family_name_km="ចាន់", given_name_km="សុភា")
    f.person("Bosco", "Lim", family_name_km="លឹម", given_name_km="បូស្កូ")
    assert list(search_people("so")) == [sophea]  # not Bosco: "so" is inside his name
    assert list(search_people("សុ")) == [sophea]
    assert list(search_people("s")) == [sophea]


def test_the_index_follows_saves_renames_and_deletes():
    person = f.person("Vanna", "Keo")
    assert names("vann") == ["Keo Vanna"]
    person.given_name_en = "Sopheap"
    person.save()
    assert names("vann") == []
    assert names("phea") == ["Keo Sopheap"]
    Person.objects.filter(pk=person.pk).delete()
    assert names("phea") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_postgresql_answers_parts_and_short_prefixes_from_the_trigram_index():
    f.person("Dara", "Sok")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for q in ("ដារា", "dara", "so"):
            sql, params = search_people(q).query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "directory_person_search_trgm" in plan, plan


def test_a_bulk_import_rebuilds_the_index_and_keeps_it_live_after(monkeypatch):
    from collab.directory import name_index
    from tests.directory.test_import import csv_bytes, row

    f.unit("HC-1")
    monkeypatch.setattr(name_index, "BULK_REBUILD_FROM", 2)  # take the bulk path
    import_directory(data=csv_bytes(row("E1", gen="Dara"), row("E2", gen="Sophea")))
    assert names("sophea") == ["Sok Sophea"]
    import_directory(data=csv_bytes(row("E1", gen="Vanna"), row("E2", gen="Sophea")))
    assert names("vann") == ["Sok Vanna"]
    later = f.person("Ratana", "Keo")  # an ordinary save after the bulk write is indexed
    assert list(search_people("ratan")) == [later]


def test_the_picker_fills_its_places_rank_by_rank(django_assert_max_num_queries):
    from collab.directory.selectors import pick_people

    part = f.person("Sodara", "Lim")
    start = f.person("Darath", "Chan")
    whole = [f.person("Dara", family) for family in ("Ung", "Ath", "Keo")]
    with django_assert_max_num_queries(3):
        assert pick_people("dara", limit=4) == [whole[1], whole[2], whole[0], start]
    assert pick_people("dara", limit=10) == [whole[1], whole[2], whole[0], start, part]
    assert pick_people("dara", limit=10) == list(search_people("dara"))
    assert pick_people("   ") == []
