"""/api/v1/directory: units and people, in Khmer and Latin."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from collab.directory import selectors
from collab.directory.models import OrgUnit, Person, Position

router = Router(tags=["directory"])


class Page(Schema):
    q: str = Field("", max_length=100, description="Part of a Khmer or Latin name, or a code")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class TypeaheadQuery(Schema):
    q: str = Field(..., min_length=1, max_length=100)
    limit: int = Field(8, ge=1, le=20)


class Message(Schema):
    message: str


class UnitOut(Schema):
    code: str
    kind: str
    name_km: str
    name_en: str
    parent_code: str | None
    province_code: str
    district_code: str
    commune_code: str
    email: str
    phone: str


class UnitRef(Schema):
    code: str
    name_km: str
    name_en: str


class PositionOut(Schema):
    title_en: str
    title_km: str
    unit: UnitRef
    acting: bool
    role_tags: list[str]


class PersonOut(Schema):
    employee_id: str
    family_name_km: str
    given_name_km: str
    family_name_en: str
    given_name_en: str
    name_km: str
    name_en: str
    email: str
    phone: str
    active: bool
    positions: list[PositionOut]


class UnitList(Schema):
    items: list[UnitOut]
    count: int


class PersonList(Schema):
    items: list[PersonOut]
    count: int


class Suggestion(Schema):
    type: str
    key: str
    name_km: str
    name_en: str
    url: str


class SuggestionList(Schema):
    items: list[Suggestion]
    count: int


def _unit(unit: OrgUnit) -> dict:
    return {
        "code": unit.code,
        "kind": unit.kind,
        "name_km": unit.name_km,
        "name_en": unit.name_en,
        "parent_code": unit.path.strip("/").split("/")[-2] if unit.parent_id else None,
        "province_code": unit.province_code,
        "district_code": unit.district_code,
        "commune_code": unit.commune_code,
        "email": unit.email,
        "phone": unit.phone,
    }


def _position(position: Position, person: Person) -> dict:
    return {
        "title_en": position.title_en,
        "title_km": position.title_km,
        "unit": {
            "code": position.unit.code,
            "name_km": position.unit.name_km,
            "name_en": position.unit.name_en,
        },
        "acting": position.holder_id != person.pk,
        "role_tags": position.tags,
    }


def _person(person: Person) -> dict:
    return {
        "employee_id": person.employee_id,
        "family_name_km": person.family_name_km,
        "given_name_km": person.given_name_km,
        "family_name_en": person.family_name_en,
        "given_name_en": person.given_name_en,
        "name_km": person.name_km,
        "name_en": person.name_en,
        "email": person.email,
        "phone": person.phone,
        "active": person.active,
        "positions": [
            _position(p, person) for p in person.held_positions + person.acting_positions_now
        ],
    }


@router.get("/units", response=UnitList, summary="Org units, optionally matching q")
def list_units(request: HttpRequest, page: Query[Page]):
    units = selectors.search_units(page.q) if page.q.strip() else OrgUnit.objects.all()
    items = units[page.offset : page.offset + page.limit]
    return {"items": [_unit(u) for u in items], "count": units.count()}


@router.get("/units/{code}", response={200: UnitOut, 404: Message})
def get_unit(request: HttpRequest, code: str):
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        return Status(404, {"message": "Org unit not found."})
    return _unit(unit)


@router.get("/people", response=PersonList, summary="Active people, optionally matching q")
def list_people(request: HttpRequest, page: Query[Page]):
    people = selectors.people_for_api(page.q)
    items = people[page.offset : page.offset + page.limit]
    return {"items": [_person(p) for p in items], "count": people.count()}


@router.get("/people/{employee_id}", response={200: PersonOut, 404: Message})
def get_person(request: HttpRequest, employee_id: str):
    person = selectors.people_for_api("", include_inactive=request.user.is_staff).filter(
        employee_id=employee_id
    )
    person = person.first()
    if person is None:
        return Status(404, {"message": "Person not found."})
    return _person(person)


@router.get("/typeahead", response=SuggestionList, summary="Few people and units for a search box")
def typeahead(request: HttpRequest, params: Query[TypeaheadQuery]):
    items = selectors.suggestions(params.q, limit=params.limit)
    return {"items": items, "count": len(items)}
