"""Reads of the shared directory. Other apps route work through ``who_must_act``."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from django.db import connection
from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.urls import reverse

from collab.core import clock
from collab.directory.models import OnCallShift, OrgUnit, Person, Position
from collab.directory.name_index import NAME_TRIGRAMS, NAME_WORDS

SPECIALIST_PREFIX = "specialist:"
# Characters Khmer text often carries invisibly (zero-width space / joiners, BOM).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)


def _acting_now(at: datetime) -> Q:
    """Positions whose acting holder is in post at ``at``."""
    return (
        Q(acting_holder__isnull=False)
        & (Q(acting_from__isnull=True) | Q(acting_from__lte=at))
        & (Q(acting_until__isnull=True) | Q(acting_until__gt=at))
    )


def _effective_person(position: Position, at: datetime) -> Person | None:
    """Acting holder (in post and active) over holder (active); else nobody."""
    if position.acting_at(at) and position.acting_holder.active:
        return position.acting_holder
    if position.holder_id and position.holder.active:
        return position.holder
    return None


def who_must_act(*, role: str, unit: OrgUnit, at: datetime | None = None) -> list[Person]:
    """The people who must act for ``role`` in ``unit`` at time ``at`` (default: now).

    In ``unit`` first: for ``specialist:<x>`` roles, whoever is on call for specialty x
    at ``at`` wins over the roster; otherwise the acting holder (within their dates) over
    the holder of every position tagged ``role``. Nobody (vacant, or only inactive
    people) → the parent unit, then its parent, up to the root. Inactive people are
    never returned. Two queries at most, whatever the depth.
    """
    at = at or clock.now()
    codes = [c for c in unit.path.strip("/").split("/") if c]
    chain = list(reversed(codes))  # nearest first

    positions_by_code: dict[str, list[Position]] = {}
    for position in (
        Position.objects.filter(unit__code__in=codes, role_tags__contains=f" {role} ")
        .select_related("unit", "holder", "acting_holder")
        .order_by("title_en", "pk")
    ):
        positions_by_code.setdefault(position.unit.code, []).append(position)

    shifts_by_code: dict[str, list[Person]] = {}
    if role.startswith(SPECIALIST_PREFIX):
        specialty = role[len(SPECIALIST_PREFIX) :]
        for shift in (
            OnCallShift.objects.filter(
                unit__code__in=codes,
                specialty=specialty,
                starts_at__lte=at,
                ends_at__gt=at,
                person__active=True,
            )
            .select_related("unit", "person")
            .order_by("starts_at", "pk")
        ):
            shifts_by_code.setdefault(shift.unit.code, []).append(shift.person)

    for code in chain:
        people = shifts_by_code.get(code) or [
            p for p in (_effective_person(pos, at) for pos in positions_by_code.get(code, [])) if p
        ]
        if people:
            return list(dict.fromkeys(people))  # dedupe, keep order
    return []


def role_holders(*, role: str, unit: OrgUnit, at: datetime | None = None) -> list[Person]:
    """Everyone who acts for ``role`` in ``unit`` or a unit below it at ``at`` (the acting
    holder over the holder, active people only), by unit then title; one query."""
    at = at or clock.now()
    positions = (
        Position.objects.filter(unit__path__startswith=unit.path, role_tags__contains=f" {role} ")
        .select_related("unit", "holder", "acting_holder")
        .order_by("unit__path", "title_en", "pk")
    )
    people = (_effective_person(position, at) for position in positions)
    return list(dict.fromkeys(p for p in people if p))


def on_call_now(*, unit: OrgUnit, at: datetime | None = None) -> QuerySet[OnCallShift]:
    at = at or clock.now()
    return (
        OnCallShift.objects.filter(
            unit=unit, starts_at__lte=at, ends_at__gt=at, person__active=True
        )
        .select_related("person")
        .order_by("specialty", "starts_at")
    )


def people_in_unit(
    *, unit: OrgUnit, include_descendants: bool = True, at: datetime | None = None
) -> QuerySet[Person]:
    """Active people holding (or acting in) a position in ``unit`` (and below)."""
    at = at or clock.now()
    unit_q = Q(unit__path__startswith=unit.path) if include_descendants else Q(unit=unit)
    positions = Position.objects.filter(unit_q)
    holders = positions.values("holder_id")
    acting = positions.filter(_acting_now(at)).values("acting_holder_id")
    return Person.objects.filter(Q(pk__in=holders) | Q(pk__in=acting), active=True).order_by(
        "family_name_en", "given_name_en", "pk"
    )


def units_of_person(*, person: Person, at: datetime | None = None) -> QuerySet[OrgUnit]:
    """Units where ``person`` holds a position or is acting in one at ``at``."""
    at = at or clock.now()
    acting = Position.objects.filter(_acting_now(at), acting_holder=person).values("unit_id")
    held = Position.objects.filter(holder=person).values("unit_id")
    return OrgUnit.objects.filter(Q(pk__in=held) | Q(pk__in=acting)).order_by("path")


def positions_of_person(*, person: Person) -> QuerySet[Position]:
    return (
        Position.objects.filter(Q(holder=person) | Q(acting_holder=person))
        .select_related("unit")
        .order_by("unit__path", "title_en")
    )


def person_for_user(user) -> Person | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def _terms(q: str) -> list[str]:
    return unicodedata.normalize("NFC", (q or "").translate(_INVISIBLE)).split()[:8]


# A term this short has no trigram: it matches the start of a name part only.
_SHORTEST_PART = 3
WHOLE, START, PART = "whole", "start", "part"


def _fts(table: str, match: str) -> Q:
    return Q(pk__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [match]))


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _name_match(term: str, how: str) -> Q:
    """People with ``term`` as a whole name part, the start of one, or a part of one
    (three characters or more), answered from the database's name index (``name_index``)."""
    if how == PART and len(term) < _SHORTEST_PART:
        how = START
    if connection.vendor == "sqlite":
        if how == PART:
            return _fts(NAME_TRIGRAMS, _phrase(term))
        return _fts(NAME_WORDS, _phrase(term) + ("*" if how == START else ""))
    if how == WHOLE:
        return (
            Q(search_text__startswith=term + " ")
            | Q(search_text__contains=f" {term} ")
            | Q(search_text__endswith=" " + term)
        )
    if how == START:
        return Q(search_text__startswith=term) | Q(search_text__contains=" " + term)
    return Q(search_text__contains=term)


def _rank(terms: list[str]) -> Case:
    """0 when every term is a whole name part, 1 when each starts one, else 2 (evaluated
    on the matching rows only, so plain patterns are cheap here)."""
    whole, start = Q(), Q()
    for term in terms:
        whole &= (
            Q(search_text__startswith=term + " ")
            | Q(search_text__contains=f" {term} ")
            | Q(search_text__endswith=" " + term)
        )
        start &= Q(search_text__startswith=term) | Q(search_text__contains=" " + term)
    return Case(When(whole, then=Value(0)), When(start, then=Value(1)), default=Value(2))


def _people(include_inactive: bool) -> QuerySet[Person]:
    return Person.objects.all() if include_inactive else Person.objects.filter(active=True)


def _query_terms(q: str) -> list[str]:
    return [term.lower() for term in _terms(q)]


def _matching(qs: QuerySet[Person], terms: list[str], how: str) -> QuerySet[Person]:
    qs = qs.alias(email_lower=Lower("email"))  # served by the index on LOWER(email)
    for term in terms:
        qs = qs.filter(Q(email_lower=term) if "@" in term else _name_match(term, how))
    return qs


def search_people(q: str, *, include_inactive: bool = False) -> QuerySet[Person]:
    """People whose Khmer or Latin names or employee id contain every term of ``q`` (a term
    with an ``@`` is an email address): every term a whole name part first, then every
    term the start of one, then the rest; by Latin name within each rank.

    A part of a Khmer name is enough, even across the family/given boundary written
    without a space (Khmer is often typed without spaces). A term shorter than three
    characters matches the start of a name part only.
    """
    terms = _query_terms(q)
    if not terms:
        return Person.objects.none()
    return (
        _matching(_people(include_inactive), terms, PART)
        .annotate(match_rank=_rank(terms))
        .order_by("match_rank", "family_name_en", "given_name_en", "pk")
    )


def pick_people(q: str, *, limit: int = 10) -> list[Person]:
    """The first ``limit`` active people for a picker, in the order of ``search_people``'s
    ranks, without ranking every match: one small query per rank, each stopping at
    ``limit`` (a common name matches tens of thousands). Within a rank, by name."""
    terms = _query_terms(q)
    found: list[Person] = []
    for how in (WHOLE, START, PART) if terms else ():
        batch = list(
            _matching(_people(False), terms, how)
            .exclude(pk__in=[p.pk for p in found])
            .order_by()[: limit - len(found)]  # any order: an ORDER BY pk walks the whole table
        )
        found += sorted(batch, key=lambda p: (p.family_name_en, p.given_name_en, p.pk))
        if len(found) >= limit:
            break
    return found


def search_units(q: str) -> QuerySet[OrgUnit]:
    """Units whose Khmer or English name or code contain every term of ``q``."""
    terms = _terms(q)
    if not terms:
        return OrgUnit.objects.none()
    qs = OrgUnit.objects.all()
    for term in terms:
        qs = qs.filter(
            Q(name_km__icontains=term) | Q(name_en__icontains=term) | Q(code__iexact=term)
        )
    return qs.order_by("path")


def root_units() -> QuerySet[OrgUnit]:
    """Top-level units, each with its children prefetched (two queries)."""
    children = OrgUnit.objects.annotate(child_count=Count("children")).order_by("path")
    return (
        OrgUnit.objects.filter(parent__isnull=True)
        .prefetch_related(Prefetch("children", queryset=children))
        .order_by("path")
    )


def child_units(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return unit.children.annotate(child_count=Count("children")).order_by("path")


def positions_in_unit(*, unit: OrgUnit) -> QuerySet[Position]:
    return (
        Position.objects.filter(unit=unit)
        .select_related("holder", "acting_holder")
        .order_by("title_en", "pk")
    )


def upcoming_shifts(*, person: Person, at: datetime | None = None, limit: int = 14):
    at = at or clock.now()
    return (
        OnCallShift.objects.filter(person=person, ends_at__gt=at)
        .select_related("unit")
        .order_by("starts_at")[:limit]
    )


def search_people_with_positions(q: str) -> QuerySet[Person]:
    held = Position.objects.select_related("unit").order_by("unit__path", "title_en")
    return search_people(q).prefetch_related(Prefetch("positions", queryset=held))


def people_for_api(q: str, *, include_inactive: bool = False) -> QuerySet[Person]:
    """People matching ``q`` (all when empty) with ``held_positions`` and
    ``acting_positions_now`` prefetched as lists."""
    if q.strip():
        people = search_people(q, include_inactive=include_inactive)
    else:
        people = Person.objects.all() if include_inactive else Person.objects.filter(active=True)
        people = people.order_by("family_name_en", "given_name_en", "pk")
    positions = Position.objects.select_related("unit").order_by("unit__path", "title_en")
    return people.prefetch_related(
        Prefetch("positions", queryset=positions, to_attr="held_positions"),
        Prefetch(
            "acting_positions",
            queryset=positions.filter(_acting_now(clock.now())),
            to_attr="acting_positions_now",
        ),
    )


def suggestions(q: str, *, limit: int = 8) -> list[dict]:
    """A few people then units for a search box: small, one line each."""
    people = pick_people(q, limit=limit)
    units = list(search_units(q)[: limit - len(people)]) if len(people) < limit else []
    return [
        {
            "type": "person",
            "key": p.employee_id,
            "name_km": p.name_km,
            "name_en": p.name_en,
            "url": reverse("directory:person", args=[p.employee_id]),
        }
        for p in people
    ] + [
        {
            "type": "unit",
            "key": u.code,
            "name_km": u.name_km,
            "name_en": u.name_en,
            "url": reverse("directory:unit", args=[u.code]),
        }
        for u in units
    ]
