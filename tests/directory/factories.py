"""Small builders for directory rows (real database rows, no mocks)."""

from itertools import count

from collab.directory.models import OnCallShift, OrgUnit, Person, Position

_seq = count(1)


def unit(code: str, parent: OrgUnit | None = None, **kw) -> OrgUnit:
    kw.setdefault("kind", OrgUnit.Kind.OFFICE)
    kw.setdefault("name_en", f"Unit {code}")
    kw.setdefault("name_km", f"អង្គភាព {code}")
    return OrgUnit.objects.create(code=code, parent=parent, **kw)


def person(given_en: str = "Dara", family_en: str = "Sok", **kw) -> Person:
    kw.setdefault("employee_id", f"E{next(_seq):06d}")
    kw.setdefault("family_name_km", "សុខ")
    kw.setdefault("given_name_km", "ដារា")
    return Person.objects.create(family_name_en=family_en, given_name_en=given_en, **kw)


def position(unit: OrgUnit, tags: str = "", holder: Person | None = None, **kw) -> Position:
    kw.setdefault("title_en", "Officer")
    kw.setdefault("title_km", "មន្ត្រី")
    return Position.objects.create(unit=unit, role_tags=tags, holder=holder, **kw)


def shift(unit: OrgUnit, specialty: str, person: Person, starts_at, ends_at) -> OnCallShift:
    return OnCallShift.objects.create(
        unit=unit, specialty=specialty, person=person, starts_at=starts_at, ends_at=ends_at
    )
