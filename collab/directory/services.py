"""Writes to the shared directory."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.directory import name_index, signals
from collab.directory.csv_rows import Row, RowError, read_rows
from collab.directory.models import OrgUnit, Person, Position, person_search_text

BATCH = 2000
PERSON_FIELDS = (
    "family_name_km",
    "given_name_km",
    "family_name_en",
    "given_name_en",
    "email",
    "phone",
)

Progress = Callable[..., Iterable]


def _no_progress(iterable, **kwargs):
    return iterable


@dataclass
class ImportResult:
    rows: int = 0
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    people_reactivated: int = 0
    positions_created: int = 0
    positions_filled: int = 0  # vacant posts given to someone from the file
    positions_vacated: int = 0  # posts left behind by people the file moved elsewhere
    people_deactivated: int = 0
    sessions_ended: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)


def import_directory(
    *,
    data: bytes,
    dry_run: bool = False,
    deactivate_missing: bool = False,
    allow_mass_deactivation: bool = False,
    progress: Progress = _no_progress,
) -> ImportResult:
    """Validate an HR CSV file completely, then (unless ``dry_run``) upsert it at once.

    Upsert by employee id: the person's fields, and a position titled ``position_title_en``
    in ``org_unit_code`` held by them (kept if they already hold it; else a vacant post
    with that title there is filled, or a new post created). A post they got from an
    earlier import elsewhere is vacated — its role tags stay with the post.
    ``deactivate_missing``: people absent from the file are deactivated, their logins
    disabled and their sessions ended (superusers' logins are kept, so an operator
    cannot lock everybody out). A file that would deactivate more than
    ``MASS_DEACTIVATION`` people *and* fraction of the active ones (a truncated file, the
    wrong province's file...) is refused unless ``allow_mass_deactivation``.
    With any error nothing is written.
    """
    unit_ids = dict(OrgUnit.objects.values_list("code", "pk"))
    rows, errors = read_rows(data, unit_ids=unit_ids, progress=lambda it: progress(
        it, desc="checking", unit="row"))  # fmt: skip
    result = ImportResult(rows=len(rows), errors=errors, dry_run=dry_run)
    if errors:
        return result
    with transaction.atomic():
        plan = _plan(rows, result, deactivate_missing=deactivate_missing)
        if not allow_mass_deactivation and _is_mass_deactivation(plan, result):
            result.errors.append(
                RowError(
                    0,
                    "",
                    _(
                        "this file would deactivate %(count)d of %(active)d active people; "
                        "check it is complete, or confirm with --allow-mass-deactivation"
                    )
                    % {"count": result.people_deactivated, "active": plan.active_before},
                )
            )
            return result
        if not dry_run:
            _apply(plan, result, progress)
    return result


@dataclass
class _Plan:
    new_people: list[Row]
    changed_people: list[tuple]  # (*PERSON_FIELDS, active, search_text, pk)
    positions_to_update: dict[int, dict]
    new_holder: dict[int, int]
    positions_to_create: list[tuple[Row, int | None]]  # holder pk, None: new person
    to_deactivate: list[int]
    active_before: int
    touched_units: set[int]


MASS_DEACTIVATION = (100, 0.10)  # more than 100 people and more than 10 % of the active


def _search_text(row: Row) -> str:
    return person_search_text(
        row["family_name_km"], row["given_name_km"], row["family_name_en"],
        row["given_name_en"], row["employee_id"],
    )  # fmt: skip


def _is_mass_deactivation(plan: _Plan, result: ImportResult) -> bool:
    count, fraction = MASS_DEACTIVATION
    n = result.people_deactivated
    return n > count and n > fraction * plan.active_before


def _plan(rows: list[Row], result: ImportResult, *, deactivate_missing: bool) -> _Plan:
    existing = {
        r[1]: r for r in Person.objects.values_list("pk", "employee_id", *PERSON_FIELDS, "active")
    }
    new_people: list[Row] = []
    changed: list[tuple] = []
    person_pk: dict[int, int] = {}  # row line → pk of an existing person
    for row in rows:
        old = existing.get(row["employee_id"])
        values = {f: row[f] for f in PERSON_FIELDS}
        if old is None:
            new_people.append(row)
            continue
        person_pk[row.line] = old[0]
        old_values = dict(zip(PERSON_FIELDS, old[2:-1], strict=True))
        if old_values != values or not old[-1]:
            result.people_reactivated += not old[-1]
            changed.append((*values.values(), True, _search_text(row), old[0]))
        else:
            result.people_unchanged += 1
    result.people_created = len(new_people)
    result.people_updated = len(changed)

    held: dict[int, list[tuple]] = defaultdict(list)
    vacant: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, holder_id, unit_id, title_en, title_km, imported in Position.objects.values_list(
        "pk", "holder_id", "unit_id", "title_en", "title_km", "imported"
    ).order_by("pk"):
        if holder_id is None:
            vacant[(unit_id, title_en)].append(pk)
        else:
            held[holder_id].append((pk, unit_id, title_en, title_km, imported))

    updates: dict[int, dict] = {}  # position pk → changed field values
    new_holder: dict[int, int] = {}  # position pk → line of a person not yet inserted
    creates: list[tuple[Row, int | None]] = []
    touched_units: set[int] = set()

    def update(pk: int, **values) -> None:
        updates.setdefault(pk, {}).update(values)

    claims: list[tuple[Row, int | None]] = []  # (row, holder pk or None when new)
    for row in rows:
        pk = person_pk.get(row.line)
        target = (row.unit_id, row["position_title_en"])
        mine = held.get(pk, []) if pk else []
        kept = next((p for p in mine if (p[1], p[2]) == target), None)
        for p_pk, unit_id, title_en, _title_km, imported in mine:
            if imported and p_pk != (kept and kept[0]):
                update(p_pk, holder_id=None, imported=False)
                touched_units.add(unit_id)
                vacant[(unit_id, title_en)].append(p_pk)
                result.positions_vacated += 1
        if kept:
            title_km = row["position_title_km"] or kept[3]
            if not kept[4] or title_km != kept[3]:
                update(kept[0], holder_id=pk, imported=True, title_km=title_km)
                touched_units.add(kept[1])
        else:
            claims.append((row, pk))

    for row, pk in claims:
        free = vacant.get((row.unit_id, row["position_title_en"]))
        if free:
            position_pk = free.pop(0)
            update(position_pk, holder_id=pk, imported=True, title_km=row["position_title_km"])
            touched_units.add(row.unit_id)
            if pk is None:
                new_holder[position_pk] = row.line
            result.positions_filled += 1
        else:
            creates.append((row, pk))
            touched_units.add(row.unit_id)
    result.positions_created = len(creates)

    to_deactivate: list[int] = []
    if deactivate_missing:
        in_file = {row["employee_id"] for row in rows}
        to_deactivate = [r[0] for eid, r in existing.items() if r[-1] and eid not in in_file]
        result.people_deactivated = len(to_deactivate)
    active_before = sum(1 for r in existing.values() if r[-1])
    return _Plan(
        new_people, changed, updates, new_holder, creates, to_deactivate, active_before,
        touched_units,
    )  # fmt: skip


def _write_people(plan: _Plan, batches) -> None:
    for chunk in batches(plan.new_people, "new people"):
        _insert_rows(
            Person,
            [
                "employee_id",
                *PERSON_FIELDS,
                "photo",
                "languages",
                "active",
                "user_id",
                "search_text",
            ],
            [
                (
                    r["employee_id"],
                    *(r[f] for f in PERSON_FIELDS),
                    "",
                    "",
                    True,
                    None,
                    _search_text(r),
                )
                for r in chunk
            ],
        )
    for chunk in batches(plan.changed_people, "changed people"):
        _update_rows(Person, [*PERSON_FIELDS, "active", "search_text"], chunk)


def _apply(plan: _Plan, result: ImportResult, progress: Progress) -> None:
    def batches(items: list, desc: str):
        chunks = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
        return progress(chunks, desc=desc, unit="batch") if chunks else []

    written = len(plan.new_people) + len(plan.changed_people)
    with name_index.bulk_writes(connections[router.db_for_write(Person)], rows=written):
        _write_people(plan, batches)
    new_pk: dict[int, int] = {}
    if plan.new_people:
        pk_of = dict(Person.objects.values_list("employee_id", "pk"))
        new_pk = {r.line: pk_of[r["employee_id"]] for r in plan.new_people}

    for pk, line in plan.new_holder.items():
        plan.positions_to_update[pk]["holder_id"] = new_pk[line]
    # One UPDATE statement shape per set of changed fields.
    by_fields: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    for pk, values in plan.positions_to_update.items():
        fields = tuple(sorted(values))
        by_fields[fields].append((*(values[f] for f in fields), pk))
    for fields, params in by_fields.items():
        for chunk in batches(params, "positions"):
            _update_rows(Position, list(fields), chunk)
    created_from = Position.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for chunk in batches(plan.positions_to_create, "new positions"):
        _insert_rows(
            Position,
            ["unit_id", "title_en", "title_km", "holder_id", "acting_holder_id", "acting_from",
             "acting_until", "role_tags", "imported"],
            [
                (r.unit_id, r["position_title_en"], r["position_title_km"],
                 pk if pk is not None else new_pk[r.line], None, None, None, "", True)
                for r, pk in chunk
            ],
        )  # fmt: skip

    if plan.to_deactivate:
        result.sessions_ended = deactivate_people(person_ids=plan.to_deactivate)

    people = set(new_pk.values()) | {row[-1] for row in plan.changed_people}
    if people:
        transaction.on_commit(
            lambda: signals.people_imported.send(sender=Person, person_ids=people)
        )

    changed = set(plan.positions_to_update)
    if plan.positions_to_create:
        changed.update(Position.objects.filter(pk__gt=created_from).values_list("pk", flat=True))
    if changed:
        path_of = dict(OrgUnit.objects.values_list("pk", "path"))
        unit_paths = {path_of[u] for u in plan.touched_units}
        transaction.on_commit(
            lambda: signals.positions_imported.send(
                sender=Position, position_ids=changed, unit_paths=unit_paths
            )
        )


# Raw executemany for the bulk writes: the ORM's bulk_create spent ~70 % of a 300,000-row
# import building model instances and SQL (profiled), and bulk_update's CASE WHEN is
# quadratic in the batch on SQLite (1,000 rows ≈ 4 s). Columns are listed explicitly: a new
# NOT NULL column on Person/Position must be added here (the import tests would fail).
def _write_many(model, sql_for, attnames: list[str], rows: list[tuple]) -> None:
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(a).column) for a in attnames]
    sql = sql_for(quote(model._meta.db_table), columns, quote(model._meta.pk.column))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert_rows(model, attnames: list[str], rows: list[tuple]) -> None:
    def sql(table, columns, pk):
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: E501

    _write_many(model, sql, attnames, rows)


def _update_rows(model, attnames: list[str], rows: list[tuple]) -> None:
    """``rows``: (value for each attname..., pk)."""

    def sql(table, columns, pk):
        return f"UPDATE {table} SET {', '.join(c + ' = %s' for c in columns)} WHERE {pk} = %s"

    _write_many(model, sql, attnames, rows)


def deactivate_people(*, person_ids: list[int], method: str = "import") -> int:
    """Deactivate people, disable their logins (not superusers') and end their sessions.

    ``method`` (an ``AccountEvent.Method``: import, scim, admin) goes with the
    ``people_deactivated`` signal, whose receivers also revoke tokens and close sockets.
    Returns the number of sessions ended.
    """
    User = get_user_model()
    for i in range(0, len(person_ids), BATCH):
        Person.objects.filter(pk__in=person_ids[i : i + BATCH]).update(active=False)
    user_ids = set(
        User.objects.filter(person__pk__in=person_ids, is_superuser=False).values_list(
            "pk", flat=True
        )
    )
    User.objects.filter(pk__in=user_ids).update(is_active=False)
    deactivated = set(person_ids)
    transaction.on_commit(
        lambda: signals.people_deactivated.send(
            sender=Person, person_ids=deactivated, method=method
        )
    )
    return end_sessions(user_ids=user_ids)


def end_sessions(*, user_ids: set[int]) -> int:
    """Delete every stored session of these users (database-backed session engines)."""
    if not user_ids:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class() if hasattr(store, "get_model_class") else None
    if model is None:
        return 0
    wanted = {str(pk) for pk in user_ids}
    doomed = [
        s.pk
        for s in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(s.get_decoded().get("_auth_user_id")) in wanted
    ]
    for key in doomed:
        store(session_key=key).delete()  # through the store: a cached copy goes too
    return len(doomed)
