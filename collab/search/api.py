from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from collab.search import selectors
from collab.search.indexes import search_types

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = Field(..., min_length=1, max_length=selectors.MAX_QUERY_LENGTH)
    type: str = Field("", max_length=20)
    page: int = Field(1, ge=1, le=500)


class SearchItem(Schema):
    type: str
    title: str
    url: str
    snippet: str


class SearchOut(Schema):
    items: list[SearchItem]
    count: int


class PersonItem(Schema):
    id: str
    title: str
    url: str


class PeopleOut(Schema):
    items: list[PersonItem]
    count: int


@router.get("", response=SearchOut, url_name="search")
def search(request: HttpRequest, params: Query[SearchParams]):
    """Everything the caller may open that matches ``q`` (Khmer, English or both);
    ``snippet`` is HTML-escaped text with matched words in ``<mark>``."""
    if params.type and params.type not in search_types():
        known = ", ".join(sorted(search_types()))
        raise ValidationError([{"loc": ["query", "type"], "msg": f"unknown type; one of {known}"}])
    page = selectors.search(user=request.user, query=params.q, type=params.type, page=params.page)
    items = [
        {"type": h.type, "title": h.title, "url": h.url, "snippet": str(h.snippet)}
        for h in page.items
    ]
    return {"items": items, "count": page.count}


@router.get("/people", response=PeopleOut, url_name="search_people")
def people(request: HttpRequest, q: str = Query(..., min_length=1, max_length=100)):
    """Typeahead: active people whose Khmer or Latin name starts with ``q``."""
    hits = selectors.people_typeahead(user=request.user, prefix=q)
    items = [{"id": h.id, "title": h.title, "url": h.url} for h in hits]
    return {"items": items, "count": len(items)}
