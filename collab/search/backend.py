"""haystack's Whoosh backend, made Khmer-aware and cheaper per query.

Differences from ``haystack.backends.whoosh_backend``:

* fields declared with our field classes (:mod:`collab.search.fields`) get their own Whoosh
  type: Khmer text parses queries itself (word or sub-word match), the sub-words are
  indexed but not stored, keyword fields are exact and sortable (facets);
* highlighting uses the same analyzer as indexing and queries (haystack hard-codes
  ``StemmingAnalyzer`` there, which cannot see Khmer words);
* one searcher per process and index, reused across queries and threads and replaced only
  when the index generation changes;
* document sets are bitmaps (:mod:`collab.search.docsets`), a term's cached per segment:
  the match set of the query (unscored, by set algebra) gives the exact hit count and,
  intersected with one set per facet value, the facet counts; narrowing (access filter,
  type) is such a set too, cached per searcher, and the match set is what Whoosh's
  ``filter=`` gets, so block-quality skipping stays on and only the top page is fully
  scored;
* common terms (in more than ``SAHAKAR_SEARCH_COMMON_TERM_DOCS`` documents) must match
  but do not score when the query has rarer terms; a query of common terms only is paged
  by a static rank (shortest documents first), each page ordered by score. BM25 scores of
  a common word are nearly flat, so Whoosh cannot skip, and walking tens of thousands of
  postings in Python is what made such queries slow;
* writes go through one blocking writer per process (see services.process_index_queue).
"""

import os
import threading

from django.conf import settings
from django.utils.encoding import force_str
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, ID
from haystack.utils import get_model_ct
from whoosh import query as wq
from whoosh.searching import ResultsPage

from collab.search import docsets
from collab.search.highlight import snippet

_searchers: dict[str, tuple] = {}  # path -> (version, searcher, doc-set cache)
MAX_CACHED_DOC_SETS = 512
COMMON_TERM_DOCS = 5_000  # default of SAHAKAR_SEARCH_COMMON_TERM_DOCS (docs/search.md)
_searchers_lock = threading.Lock()
write_lock = threading.Lock()


class KhmerWhooshSearchBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field_class in fields.values():
            make = getattr(field_class, "whoosh_field", None)
            if make is None:
                continue
            name = field_class.index_fieldname
            schema.remove(name)
            schema.add(name, make())
        return content_field_name, schema

    # -- searching -------------------------------------------------------------------------

    def searcher(self):
        """This process's searcher for the index, fresh as of the latest commit."""
        return self._current()[1]

    def _current(self) -> tuple:
        if not self.setup_complete:
            self.setup()
        with _searchers_lock:
            # A rebuild swaps the whole directory in, so its identity is part of the version.
            version = (os.stat(self.path).st_ino, self.index.latest_generation())
            cached = _searchers.get(self.path)
            if cached is None or cached[0] != version:
                # Not searcher.refresh(): that closes readers another thread may be using;
                # the old searcher is closed when its last reference goes.
                self.index = self.storage.open_index(schema=self.schema)
                cached = (version, self.index.searcher(), {})
                _searchers[self.path] = cached
            return cached

    def parse(self, query_string: str) -> wq.Query | None:
        if not self.setup_complete:
            self.setup()
        return self.parser.parse(force_str(query_string))

    def search(
        self,
        query_string,
        sort_by=None,
        start_offset=0,
        end_offset=None,
        fields="",
        highlight=False,
        facets=None,
        narrow_queries=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        exclude_ids=(),
        **kwargs,
    ):
        """haystack's search, plus ``exclude_ids``: documents (haystack ids) left out of the
        hits, the count and the facets (results the caller shows by other means)."""
        if not query_string or not query_string.strip():
            return {"results": [], "hits": 0}
        if not self.setup_complete:
            self.setup()
        parsed = self.parse(query_string)
        if parsed is None or parsed is wq.NullQuery:
            return {"results": [], "hits": 0}
        if exclude_ids:
            parsed = wq.AndNot(parsed, wq.Or([wq.Term(ID, doc_id) for doc_id in exclude_ids]))
        _version, searcher, cache = self._current()
        if not searcher.doc_count():
            return {"results": [], "hits": 0}
        keys = sorted(set(narrow_queries or ()))
        if models:
            keys.append("\0models:" + ",".join(sorted(get_model_ct(m) for m in models)))
        allowed = self._filter_set(searcher, cache, keys) if keys else None
        page_num, page_length = self.calculate_page(start_offset, end_offset)
        skip = 0
        if start_offset and page_length > 0 and start_offset % page_length:
            # haystack's pages assume an aligned window: take everything up to the end, cut.
            page_num, page_length, skip = 1, end_offset, start_offset
        matched = self._match_set(searcher, cache, parsed)
        if allowed is not None:
            matched &= allowed
        total = matched.bit_count()  # exact; Whoosh would match everything again to count
        if total <= (page_num - 1) * page_length:
            return {"results": [], "hits": 0}
        # Scoring walks every posting of every query term in Python (~10 µs each). The
        # match set is exact already, so only its top page needs scores: common terms
        # (whose near-flat BM25 scores cannot reorder much anyway) are left out of the
        # scored query, and the match set becomes the filter. With a doc-number set as the
        # filter, Whoosh keeps block-quality skipping on.
        scored, search_kwargs = parsed, {"filter": docsets.BitsFilter(matched), "optimize": True}
        raw_page_num = page_num
        if sort_by:
            search_kwargs["sortedby"] = [s.lstrip("-") for s in sort_by]
            search_kwargs["reverse"] = sort_by[0].startswith("-")
        else:
            scored = self._without_common(searcher, cache, parsed)
            if scored is None:
                # Only common words: even a few scattered matches would make Whoosh decode
                # nearly every posting block. Pages follow a static rank instead, shortest
                # documents first (BM25 favours them for a common word); each page is then
                # ordered by score. Pages never repeat or skip a document.
                end = page_num * page_length
                docs = docsets.shortest_first(searcher, "text", matched, end)
                scored = wq.Require(parsed, docsets.DocNumbers(searcher, docs[end - page_length :]))
                # Whoosh's quality skipping inside a Require trips an assertion; a page of
                # documents does not need it.
                search_kwargs, raw_page_num = {"filter": None, "optimize": False}, 1
        raw = searcher.search(scored, limit=raw_page_num * page_length, **search_kwargs)
        raw._total = total
        counts = {}
        for name in facets or ():
            by_value = self._value_sets(searcher, cache, name)
            counts[name] = sorted(
                (
                    (value, n)
                    for value, docs in by_value.items()
                    if (n := (matched & docs).bit_count())
                ),
                key=lambda pair: (-pair[1], pair[0]),
            )
        raw_page = ResultsPage(raw, raw_page_num, page_length)
        results = self._process_results(
            raw_page, highlight=highlight, query_string=query_string, result_class=result_class
        )
        results["results"] = results["results"][skip:]
        if facets:
            results["facets"] = {"fields": counts, "dates": {}, "queries": {}}
        return results

    def _filter_set(self, searcher, cache: dict, keys: list[str]) -> int:
        """Documents passing every narrowing query (cached for this searcher)."""
        key = ("filter", *keys)
        found = cache.get(key)
        if found is None:
            found = -1  # every document
            for k in keys:
                if k.startswith("\0models:"):
                    cts = k.removeprefix("\0models:").split(",")
                    q = wq.Or([wq.Term(DJANGO_CT, ct) for ct in cts])
                else:
                    q = self.parse(k)
                found &= self._match_set(searcher, cache, q) if q else 0
            if len(cache) >= MAX_CACHED_DOC_SETS:
                cache.clear()
            cache[key] = found
        return found

    def _match_set(self, searcher, cache: dict, q) -> int:
        """Documents matching ``q`` (unscored), by set algebra over per-term sets."""
        if isinstance(q, wq.Term):
            return docsets.term_bits(searcher, q.fieldname, q.text, cache.setdefault("del", {}))
        if type(q) is wq.And:  # not subclasses such as Ordered
            found = -1
            for sub in q.subqueries:
                found &= self._match_set(searcher, cache, sub)
            return max(found, 0)
        if type(q) is wq.Or:
            found = 0
            for sub in q.subqueries:
                found |= self._match_set(searcher, cache, sub)
            return found
        if type(q) is wq.AndNot:
            return self._match_set(searcher, cache, q.a) & ~self._match_set(searcher, cache, q.b)
        return docsets.from_docnums(searcher.docs_for_query(q))

    def _without_common(self, searcher, cache: dict, q) -> wq.Query | None:
        """``q`` without its common terms (in more documents than
        ``SAHAKAR_SEARCH_COMMON_TERM_DOCS``): it matches a superset of ``q``'s documents.
        None when nothing but common terms is left."""
        if isinstance(q, wq.Term):
            limit = getattr(settings, "SAHAKAR_SEARCH_COMMON_TERM_DOCS", COMMON_TERM_DOCS)
            return None if self._match_set(searcher, cache, q).bit_count() > limit else q
        if type(q) is wq.And:
            kept = [self._without_common(searcher, cache, sub) for sub in q.subqueries]
            kept = [k for k in kept if k is not None]
            if not kept:
                return None
            return kept[0] if len(kept) == 1 else wq.And(kept, boost=q.boost)
        if type(q) is wq.Or:  # every branch must stay, or the superset is lost
            kept = [self._without_common(searcher, cache, sub) for sub in q.subqueries]
            return None if any(k is None for k in kept) else wq.Or(kept, boost=q.boost)
        if type(q) is wq.AndNot:  # the exclusion is in the match set already
            return self._without_common(searcher, cache, q.a)
        return q

    def _value_sets(self, searcher, cache: dict, fieldname: str) -> dict[str, int]:
        """{value: documents} of a keyword field, for facet counts (cached)."""
        key = ("values", fieldname)
        found = cache.get(key)
        if found is None:
            found = {}
            for raw in searcher.lexicon(fieldname):
                value = raw.decode() if isinstance(raw, bytes) else raw
                found[value] = self._match_set(searcher, cache, wq.Term(fieldname, value))
            cache[key] = found
        return found

    def _process_results(self, raw_page, highlight=False, query_string="", **kwargs):
        results = super()._process_results(raw_page, highlight=False, **kwargs)
        if highlight:
            for result in results["results"]:
                text = getattr(result, self.content_field_name, "") or ""
                result.highlighted = {self.content_field_name: [snippet(text, query_string)]}
        return results

    # -- writing ---------------------------------------------------------------------------

    def write(self, *, docs: list[dict], remove_ids: list[str], timeout: float = 10.0) -> None:
        """Add/replace ``docs`` and delete ``remove_ids`` in one commit (one writer)."""
        if not self.setup_complete:
            self.setup()
        if not docs and not remove_ids:
            return
        with write_lock:
            self.index = self.index.refresh()
            writer = self.index.writer(timeout=timeout, delay=0.05)
            try:
                for doc_id in remove_ids:
                    writer.delete_by_term(ID, doc_id)
                for doc in docs:
                    writer.update_document(**self.to_whoosh(doc))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    def to_whoosh(self, doc: dict) -> dict:
        doc = {key: self._from_python(value) for key, value in doc.items()}
        doc.pop("boost", None)
        return doc

    def update(self, index, iterable, commit=True):
        docs = [index.full_prepare(obj) for obj in iterable]
        self.write(docs=docs, remove_ids=[])

    def remove(self, obj_or_string, commit=True):
        from haystack.utils import get_identifier

        self.write(docs=[], remove_ids=[get_identifier(obj_or_string)])


class KhmerWhooshEngine(WhooshEngine):
    backend = KhmerWhooshSearchBackend
    query = WhooshSearchQuery
