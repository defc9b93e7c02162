import io
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

from collab.directory.csv_rows import COLUMNS
from collab.directory.models import OrgUnit, Person, Position
from collab.directory.services import import_directory
from tests.directory import factories as f

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def row(eid="E1", unit="HC-1", title="Nurse", *, fkm="សុខ", gkm="ដារា", fen="Sok", gen="Dara",
        email="dara@moh.gov.kh", phone="+855 12 345 678", title_km="គិលានុបដ្ឋាក") -> str:  # fmt: skip
    return ",".join([eid, fkm, gkm, fen, gen, email, phone, unit, title, title_km])


@pytest.fixture
def units():
    moh = f.unit("MOH", kind="ministry")
    return moh, f.unit("HC-1", moh), f.unit("HC-2", moh)


def run(tmp_path, data: bytes, *args) -> tuple[str, str]:
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_directory", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot():
    return (
        list(Person.objects.values_list("employee_id", "given_name_en", "phone", "active")),
        list(Position.objects.values_list("unit__code", "title_en", "holder__employee_id")),
    )


def test_import_creates_people_and_positions(tmp_path, units):
    out, _ = run(tmp_path, csv_bytes(row("E1"), row("E2", "HC-2", "Midwife", gen="Sophea")))
    assert "2 created" in out
    p = Person.objects.get(employee_id="E2")
    assert (p.name_km, p.name_en, p.email) == ("សុខ ដារា", "Sok Sophea", "dara@moh.gov.kh")
    position = p.positions.get()
    assert (position.unit.code, position.title_en, position.title_km) == (
        "HC-2", "Midwife", "គិលានុបដ្ឋាក"
    )  # fmt: skip


def test_bad_rows_write_nothing_and_every_error_is_reported(tmp_path, units):
    f.person("Existing", employee_id="E9")
    before = snapshot()
    data = csv_bytes(
        row("E1"),  # line 2: fine — still not written
        row("E2", email="not-an-email"),  # 3
        row("E3", unit="NOPE"),  # 4
        row("E1", gen="Again"),  # 5: duplicate of line 2
        row("E4", fkm=""),  # 6: required
        row("E5", gen="x" * 101),  # 7: too long
        row("E6", fkm="Sok"),  # 8: Latin in a Khmer column
        row("E7", phone="call me"),  # 9
        row("E 8"),  # 10: space in employee id
        row("E9") + ",extra",  # 11: too many fields
        row("E10", gen="ដារា"),  # 12: Khmer in a Latin column
    )
    with pytest.raises(CommandError, match="10 error"):
        run(tmp_path, data)
    assert snapshot() == before

    result = import_directory(data=data)
    got = {(e.line, e.column) for e in result.errors}
    assert got == {
        (3, "email"), (4, "org_unit_code"), (5, "employee_id"), (6, "family_name_km"),
        (7, "given_name_en"), (8, "family_name_km"), (9, "phone"), (10, "employee_id"),
        (11, ""), (12, "given_name_en"),
    }  # fmt: skip
    messages = "\n".join(map(str, result.errors))
    assert "line 5, column employee_id: duplicate employee id “E1” (first on line 2)" in messages
    assert "line 7, column given_name_en: too long: 101 characters, at most 100" in messages
    assert "unknown org unit code “NOPE”" in messages


def test_errors_are_printed_with_line_and_column(tmp_path, units, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(row("E1", unit="NOPE"), row("E2", email="@")))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_directory", str(path), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0] == "bad.csv: line 2, column org_unit_code: unknown org unit code “NOPE”"
    assert lines[1] == "bad.csv: line 3, column email: “@” is not a valid email address"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (HEADER.replace(",phone", ""), (1, "phone", "missing column")),
        (HEADER.replace("email", "emial"), (1, "emial", "unknown column")),
    ],
)
def test_header_problems(units, header, expected):
    result = import_directory(data=csv_bytes(row(), header=header))
    assert expected in {(e.line, e.column, e.message) for e in result.errors}
    assert not Person.objects.exists()


def test_bad_utf8_reported_with_line_and_column(units):
    data = csv_bytes(row("E1"), row("E2")).replace(b"E2,", b"E2,\xff\xfe", 1)
    result = import_directory(data=data)
    assert [(e.line, e.column) for e in result.errors] == [(3, "family_name_km")]
    assert "not valid UTF-8" in result.errors[0].message
    assert not Person.objects.exists()


def test_empty_file_and_header_only_are_errors(units):
    assert import_directory(data=b"").errors[0].message == "the file is empty"
    assert "no rows" in import_directory(data=csv_bytes()).errors[0].message


def test_byte_order_mark_windows_newlines_and_zero_width_spaces_are_fine(units):
    data = b"\xef\xbb\xbf" + csv_bytes(row("E1", gkm="ដា\u200bរា")).replace(b"\n", b"\r\n")
    result = import_directory(data=data)
    assert result.errors == []
    assert Person.objects.get().given_name_km == "ដារា"


def test_dry_run_writes_nothing_but_reports(tmp_path, units):
    out, _ = run(tmp_path, csv_bytes(row("E1"), row("E2")), "--dry-run")
    assert "2 created" in out and "Dry run" in out
    assert not Person.objects.exists() and not Position.objects.exists()


def test_reimport_updates_instead_of_duplicating(tmp_path, units):
    run(tmp_path, csv_bytes(row("E1"), row("E2")))
    out, _ = run(tmp_path, csv_bytes(row("E1", phone="+855 99 000 111"), row("E2")))
    assert "0 created, 1 updated" in out and "1 unchanged" in out
    assert Person.objects.count() == 2 and Position.objects.count() == 2
    assert Person.objects.get(employee_id="E1").phone == "+855 99 000 111"


def test_move_vacates_old_post_keeping_its_tags_and_fills_a_vacancy(tmp_path, units):
    run(tmp_path, csv_bytes(row("E1", "HC-1", "Chief")))
    old = Position.objects.get()
    old.role_tags = "unit-head"
    old.save()
    vacancy = f.position(OrgUnit.objects.get(code="HC-2"), "approver", None, title_en="Chief")
    result = import_directory(
        data=csv_bytes(row("E1", "HC-2", "Chief"), row("E2", "HC-1", "Chief"))
    )
    assert (result.positions_vacated, result.positions_filled, result.positions_created) == (
        1,
        2,
        0,
    )
    old.refresh_from_db()
    vacancy.refresh_from_db()
    assert old.holder.employee_id == "E2" and old.tags == ["unit-head"]
    assert vacancy.holder.employee_id == "E1" and vacancy.imported
    assert Position.objects.count() == 2


def test_positions_set_by_an_operator_are_left_alone(units):
    _, hc1, hc2 = units
    p = f.person(employee_id="E1")
    manual = f.position(hc2, "approver", p, title_en="Acting approver")
    import_directory(data=csv_bytes(row("E1", "HC-1", "Nurse")))
    manual.refresh_from_db()
    assert manual.holder == p
    assert set(p.positions.values_list("unit__code", flat=True)) == {"HC-1", "HC-2"}


def test_deactivate_missing_ends_sessions_and_disables_logins(tmp_path, units, client):
    User = get_user_model()
    leaver_user = User.objects.create_user("leaver", password="x-Secret-1")
    stayer_user = User.objects.create_user("stayer", password="x-Secret-1")
    boss = User.objects.create_superuser("boss", password="x-Secret-1")
    f.person(employee_id="GONE", user=leaver_user)
    f.person(employee_id="E1", user=stayer_user)
    f.person(employee_id="ROOT", user=boss)
    for user in (leaver_user, stayer_user, leaver_user):
        client.force_login(user)
        client.cookies.clear()
    assert Session.objects.count() == 3
    leaver_keys = [
        s.session_key
        for s in Session.objects.all()
        if s.get_decoded()["_auth_user_id"] == str(leaver_user.pk)
    ]
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert all(store(session_key=key).load() for key in leaver_keys)  # cached, if the engine caches

    out, _ = run(tmp_path, csv_bytes(row("E1")), "--deactivate-missing")
    assert "2 deactivated" in out and "2 sessions ended" in out
    assert not Person.objects.get(employee_id="GONE").active
    assert not User.objects.get(username="leaver").is_active
    assert User.objects.get(username="boss").is_active  # operators are not locked out
    assert User.objects.get(username="stayer").is_active
    assert [s.get_decoded()["_auth_user_id"] for s in Session.objects.all()] == [
        str(stayer_user.pk)
    ]
    assert [store(session_key=key).load() for key in leaver_keys] == [{}, {}]


def test_without_flag_absent_people_stay_active_and_reappearing_people_reactivate(units):
    f.person(employee_id="OTHER")
    f.person(employee_id="E1", active=False)
    result = import_directory(data=csv_bytes(row("E1")))
    assert result.people_reactivated == 1
    assert Person.objects.filter(active=True).count() == 2


def test_query_count_does_not_grow_with_rows(units, django_assert_max_num_queries):
    rows = [row(f"E{i}", "HC-1" if i % 2 else "HC-2") for i in range(300)]
    with django_assert_max_num_queries(12):
        import_directory(data=csv_bytes(*rows))
    assert Person.objects.count() == 300
    with django_assert_max_num_queries(6):
        import_directory(data=csv_bytes(*rows))


def test_mass_deactivation_is_refused_unless_confirmed(tmp_path, units, monkeypatch):
    from collab.directory import services

    monkeypatch.setattr(services, "MASS_DEACTIVATION", (2, 0.5))
    for i in range(4):
        f.person(employee_id=f"OLD{i}")
    before = snapshot()
    with pytest.raises(CommandError):
        run(tmp_path, csv_bytes(row("E1")), "--deactivate-missing")
    assert snapshot() == before  # not even the new person was written
    result = import_directory(data=csv_bytes(row("E1")), deactivate_missing=True)
    assert "would deactivate 4 of 4 active people" in str(result.errors[0])

    out, _ = run(
        tmp_path, csv_bytes(row("E1")), "--deactivate-missing", "--allow-mass-deactivation"
    )
    assert "4 deactivated" in out
    assert Person.objects.filter(active=True).count() == 1


def test_imported_and_updated_people_are_searchable(units):
    from collab.directory.selectors import search_people

    import_directory(data=csv_bytes(row("E1", gkm="ដារា")))
    assert [p.employee_id for p in search_people("ខដា")] == ["E1"]
    import_directory(data=csv_bytes(row("E1", gkm="សុភា", gen="Sophea")))
    assert list(search_people("ដារា")) == []
    assert [p.employee_id for p in search_people("sok sophea")] == ["E1"]


def test_signals_after_commit_name_changed_positions_and_deactivated_people(
    units, django_capture_on_commit_callbacks
):
    from collab.directory import signals

    seen = []

    def on_positions(sender, position_ids, unit_paths, **kw):
        seen.append(("positions", set(position_ids), set(unit_paths)))

    def on_people(sender, person_ids, **kw):
        seen.append(("people", set(person_ids)))

    signals.positions_imported.connect(on_positions)
    signals.people_deactivated.connect(on_people)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_directory(data=csv_bytes(row("E1", "HC-1"), row("E2", "HC-2")))
        created = set(Position.objects.values_list("pk", flat=True))
        assert seen == [("positions", created, {"/MOH/HC-1/", "/MOH/HC-2/"})]

        seen.clear()
        with django_capture_on_commit_callbacks(execute=True):
            import_directory(data=csv_bytes(row("E1", "HC-1")))  # nothing changed
        assert seen == []

        gone = Person.objects.get(employee_id="E2")
        with django_capture_on_commit_callbacks(execute=True):
            import_directory(data=csv_bytes(row("E1", "HC-2")), deactivate_missing=True)
        new_post = Position.objects.get(unit__code="HC-2", holder__employee_id="E1")
        old_post = Position.objects.get(unit__code="HC-1")  # vacated by the move
        assert old_post.holder is None
        assert ("people", {gone.pk}) in seen
        positions = next(s for s in seen if s[0] == "positions")
        assert positions[1] == {new_post.pk, old_post.pk}
        assert positions[2] == {"/MOH/HC-1/", "/MOH/HC-2/"}
    finally:
        signals.positions_imported.disconnect(on_positions)
        signals.people_deactivated.disconnect(on_people)
