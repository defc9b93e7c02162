"""Reads: the search box, the typeahead, and what the index may show a user."""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.translation import get_language
from haystack.inputs import AutoQuery
from haystack.query import SearchQuerySet
from whoosh import query as wq

from collab.search import glossary
from collab.search.analysis import analyse, normalise
from collab.search.highlight import snippet
from collab.search.indexes import search_types
from collab.search.services import backend

MAX_QUERY_LENGTH = 200
FACET_ORDER = ["person", "unit", "page", "space", "course", "lesson", "room", "message"]


@dataclass
class Hit:
    type: str
    id: str
    title: str
    url: str
    snippet: SafeString
    score: float = 0.0


@dataclass
class SearchPage:
    query: str
    type: str
    items: list[Hit]
    count: int
    page: int
    per_page: int
    facets: list[tuple[str, str, int]] = field(default_factory=list)  # (key, label, count)

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.count


def _user_tokens(user) -> set[str]:
    tokens: set[str] = set()
    for index in search_types().values():
        tokens |= index.user_tokens(user)
    return tokens


def _access_filter(user) -> str | None:
    tokens = sorted(_user_tokens(user))
    if not tokens:
        return None
    return "access:(" + " OR ".join(f'"{t}"' for t in tokens) + ")"


def _title(result, language: str) -> str:
    title_km = normalise(getattr(result, "title_km", "") or "")
    title_en = (getattr(result, "title", "") or "").split("\n")[0]
    if language.startswith("km") and title_km:
        return title_km
    return title_en or title_km


def _verified(user, results) -> list:
    """Drop every result the owning app does not let ``user`` open (checked now, not at
    indexing time: a room left or a page restricted since is caught here)."""
    types = search_types()
    by_type: dict[str, list[str]] = {}
    for r in results:
        by_type.setdefault(r.kind, []).append(str(r.pk))
    allowed = {
        kind: types[kind].visible_ids(user, ids) if kind in types else set()
        for kind, ids in by_type.items()
    }
    return [r for r in results if str(r.pk) in allowed[r.kind]]


def query_string_for(query: str) -> str:
    """The user's words as a haystack query string (quotes, -exclusions; AND between)."""
    return SearchQuerySet().filter(content=AutoQuery(query)).query.build_query()


def expanded_query_string(query: str) -> str:
    """The query string with each glossary term OR-ed with its Khmer/English counterparts."""
    units = glossary.expand(query)
    if all(len(unit) == 1 for unit in units):
        return query_string_for(query)
    parts = [
        query_string_for(unit[0])
        if len(unit) == 1
        else "(" + " OR ".join(query_string_for(term) for term in unit) + ")"
        for unit in units
    ]
    return "(" + " AND ".join(parts) + ")"


def search(*, user, query: str, type: str = "", page: int = 1, per_page: int = 20) -> SearchPage:
    query = normalise(query or "").strip()[:MAX_QUERY_LENGTH]
    types = search_types()
    type = type if type in types else ""
    empty = SearchPage(query=query, type=type, items=[], count=0, page=page, per_page=per_page)
    access = _access_filter(user)
    if not query or access is None or not analyse(query):
        return empty
    query_string = expanded_query_string(query)
    be = backend()
    language = get_language() or "en"
    # Exact names come first, on page 1 only, and are left out of the ranked hits, so that
    # later pages neither repeat nor skip anything.
    exact = _exact_names(user=user, query=query, type=type)
    start = max(0, (page - 1) * per_page - len(exact))
    end = page * per_page - len(exact)
    narrow = {access} | ({f'kind:"{type}"'} if type else set())
    exclude = [hit["id"] for hit in exact]
    found = be.search(
        query_string,
        start_offset=start,
        end_offset=end,
        narrow_queries=narrow,
        facets=None if type else ["kind"],
        exclude_ids=exclude,
    )
    facet_source = found
    if type:  # facet counts over every type, not just the chosen one
        facet_source = be.search(
            query_string,
            start_offset=0,
            end_offset=1,
            narrow_queries={access},
            facets=["kind"],
            exclude_ids=exclude,
        )
    results = found.get("results", [])
    visible = _verified(user, results)
    items = [_exact_hit(hit, query, language) for hit in exact] if page == 1 else []
    items += [
        Hit(
            type=r.kind,
            id=str(r.pk),
            title=_title(r, language),
            url=r.url or "",
            snippet=snippet(r.text or "", query),
            score=r.score,
        )
        for r in visible
    ]
    counts = dict(facet_source.get("facets", {}).get("fields", {}).get("kind", []))
    for hit in exact:
        counts[hit["kind"]] = counts.get(hit["kind"], 0) + 1
    keys = sorted(types, key=lambda k: FACET_ORDER.index(k) if k in FACET_ORDER else 99)
    facets = [(key, str(types[key].type_label), counts.get(key, 0)) for key in keys]
    ranked = max(0, found.get("hits", 0) - (len(results) - len(visible)))
    return SearchPage(
        query=query,
        type=type,
        items=items,
        count=ranked + len(exact),
        page=page,
        per_page=per_page,
        facets=facets,
    )


EXACT_KINDS = ("person", "unit")
MAX_EXACT = 5


def _squashed(text: str) -> str:
    return "".join(normalise(text).split()).casefold()


def _exact_names(*, user, query: str, type: str) -> list[dict]:
    """Stored fields of the people and units (at most ``MAX_EXACT``, visible to ``user``)
    whose English or Khmer name is exactly ``query``, spacing and case aside."""
    kinds = [k for k in EXACT_KINDS if type in ("", k)]
    words = analyse(query, stem=False)
    if not kinds or not words:
        return []
    wanted = _squashed(query)
    q = wq.And([wq.Term("title", w) for w in words] + [wq.Or([wq.Term("kind", k) for k in kinds])])
    exact = [
        dict(hit)
        for hit in backend().searcher().search(q, limit=50)
        if wanted in {_squashed(name) for name in hit["title"].split("\n")}
    ]
    types = search_types()
    visible = set()
    for kind in kinds:
        ids = [h["django_id"] for h in exact if h["kind"] == kind]
        visible |= {(kind, i) for i in types[kind].visible_ids(user, ids)} if ids else set()
    return [h for h in exact if (h["kind"], h["django_id"]) in visible][:MAX_EXACT]


def _exact_hit(hit: dict, query: str, language: str) -> Hit:
    title_en = hit["title"].split("\n")[0]
    title_km = normalise(hit.get("title_km") or "")
    return Hit(
        type=hit["kind"],
        id=hit["django_id"],
        title=title_km if language.startswith("km") and title_km else title_en,
        url=hit.get("url", ""),
        snippet=snippet(hit.get("text") or "", query),
    )


def people_typeahead(*, user, prefix: str, limit: int = 8) -> list[Hit]:
    """People whose names start with what was typed (Khmer or Latin), active only."""
    prefix = normalise(prefix or "").strip()[:100]
    words = analyse(prefix, stem=False)
    if not words or not user.is_authenticated:
        return []
    *whole, last = words
    q = wq.And(
        [wq.Term("title", w) for w in whole]
        + [wq.Or([wq.Term("title", last, boost=2), wq.Prefix("title", last)])]
        + [wq.Term("kind", "person")]
    )
    searcher = backend().searcher()
    raw = searcher.search(q, limit=limit * 2)
    index = search_types()["person"]
    allowed = index.visible_ids(user, [hit["django_id"] for hit in raw])
    language = get_language() or "en"
    hits = []
    for hit in raw:
        if hit["django_id"] not in allowed:
            continue
        title_en = hit["title"].split("\n")[0]
        title_km = normalise(hit.get("title_km") or "")
        title = title_km if language.startswith("km") and title_km else title_en
        hits.append(
            Hit(
                type="person",
                id=hit["django_id"],
                title=title,
                url=hit.get("url", ""),
                snippet=snippet(hit["title"], prefix),
            )
        )
    return hits[:limit]
