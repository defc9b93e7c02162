"""haystack's Whoosh backend, made Khmer-aware and cheaper per query.

Differences from ``haystack.backends.whoosh_backend``:

* fields declared with our field classes (:mod:`collab.search.fields`) get their own Whoosh
  type: Khmer text parses queries itself (word or sub-word match), the sub-words are
  indexed but not stored, keyword fields are exact and sortable (facets);
* highlighting uses the same analyzer as indexing and queries (haystack hard-codes
  ``StemmingAnalyzer`` there, which cannot see Khmer words);
* one searcher per process and index, reused across queries and threads and replaced only
  when the index generation changes;
* narrowing (access filter, type) is a set of document numbers cached per searcher, so
  Whoosh's block-quality skipping stays on and only the top page is fully scored; facet
  counts are the match set intersected with per-value document sets cached the same way;
* writes go through one blocking writer per process (see services.process_index_queue).
"""

import os
import threading

from django.utils.encoding import force_str
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, ID
from haystack.utils import get_model_ct
from whoosh import query as wq
from whoosh.searching import ResultsPage

from collab.search.highlight import snippet

_searchers: dict[str, tuple] = {}  # path -> (version, searcher, doc-set cache)
MAX_CACHED_DOC_SETS = 512
MAX_CACHED_TERM_SETS = 64
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
        **kwargs,
    ):
        if not query_string or not query_string.strip():
            return {"results": [], "hits": 0}
        if not self.setup_complete:
            self.setup()
        parsed = self.parse(query_string)
        if parsed is None or parsed is wq.NullQuery:
            return {"results": [], "hits": 0}
        _version, searcher, cache = self._current()
        if not searcher.doc_count():
            return {"results": [], "hits": 0}
        keys = sorted(set(narrow_queries or ()))
        if models:
            keys.append("\0models:" + ",".join(sorted(get_model_ct(m) for m in models)))
        allowed = self._filter_set(searcher, cache, keys) if keys else None
        page_num, page_length = self.calculate_page(start_offset, end_offset)
        # With a doc-number set as the filter, Whoosh keeps block-quality skipping on:
        # only documents that can still enter the top page are scored.
        search_kwargs = {"filter": allowed, "optimize": True}
        if sort_by:
            search_kwargs["sortedby"] = [s.lstrip("-") for s in sort_by]
            search_kwargs["reverse"] = sort_by[0].startswith("-")
        raw = searcher.search(parsed, limit=page_num * page_length, **search_kwargs)
        counts = {}
        if facets:
            matched = self._match_set(searcher, cache, parsed)
            if allowed is not None:
                matched = matched & allowed  # never in place: sets are cached
            # The exact count, from the set already built (Whoosh would match everything
            # again to count).
            raw._total = len(matched)
            for name in facets:
                by_value = self._value_sets(searcher, cache, name)
                counts[name] = sorted(
                    ((value, n) for value, docs in by_value.items() if (n := len(matched & docs))),
                    key=lambda pair: (-pair[1], pair[0]),
                )
        raw_page = ResultsPage(raw, page_num, page_length)
        if raw_page.pagenum < page_num:
            return {"results": [], "hits": 0}
        results = self._process_results(
            raw_page, highlight=highlight, query_string=query_string, result_class=result_class
        )
        if facets:
            results["facets"] = {"fields": counts, "dates": {}, "queries": {}}
        return results

    def _filter_set(self, searcher, cache: dict, keys: list[str]) -> set[int]:
        """Document numbers passing every narrowing query (cached for this searcher)."""
        key = ("filter", *keys)
        found = cache.get(key)
        if found is None:
            sets = []
            for k in keys:
                if k.startswith("\0models:"):
                    cts = k.removeprefix("\0models:").split(",")
                    q = wq.Or([wq.Term(DJANGO_CT, ct) for ct in cts])
                else:
                    q = self.parse(k)
                sets.append(set(searcher.docs_for_query(q)) if q else set())
            found = set.intersection(*sets)
            if len(cache) >= MAX_CACHED_DOC_SETS:
                cache.clear()
            cache[key] = found
        return found

    def _match_set(self, searcher, cache: dict, q) -> set[int]:
        """Document numbers matching ``q`` (unscored), by set algebra over per-term sets
        cached for this searcher: frequent words are also the most often searched."""
        if isinstance(q, wq.Term):
            key = ("term", q.fieldname, q.text)
            found = cache.get(key)
            if found is None:
                found = set(searcher.docs_for_query(q))
                terms = cache.setdefault("terms", [])
                terms.append(key)
                if len(terms) > MAX_CACHED_TERM_SETS:
                    cache.pop(terms.pop(0), None)
                cache[key] = found
            return found
        if type(q) is wq.And:  # not subclasses such as Ordered
            sets = sorted((self._match_set(searcher, cache, sub) for sub in q.subqueries), key=len)
            return set.intersection(*sets) if sets else set()
        if type(q) is wq.Or:
            return set().union(*(self._match_set(searcher, cache, sub) for sub in q.subqueries))
        if type(q) is wq.AndNot:
            return self._match_set(searcher, cache, q.a) - self._match_set(searcher, cache, q.b)
        return set(searcher.docs_for_query(q))

    def _value_sets(self, searcher, cache: dict, fieldname: str) -> dict[str, set[int]]:
        """{value: document numbers} of a keyword field, for facet counts (cached)."""
        key = ("values", fieldname)
        found = cache.get(key)
        if found is None:
            found = {}
            for raw in searcher.lexicon(fieldname):
                value = raw.decode() if isinstance(raw, bytes) else raw
                found[value] = set(searcher.docs_for_query(wq.Term(fieldname, value)))
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
