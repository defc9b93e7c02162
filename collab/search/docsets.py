"""Sets of document numbers as Python ints (bit ``d`` set: document ``d`` is in the set).

A set of 50,000 documents is 6 KB instead of ~3.5 MB as a ``set``, and ``&``, ``|``, ``-``
and ``bit_count()`` run in C in microseconds, so counts and facets over tens of thousands of
matches cost nothing. A term's documents are cached per index *segment* (segments never
change once written; deletions are applied per searcher), so a new index generation — every
batch the worker commits — only has to read the postings of its new small segment.
"""

import heapq
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from itertools import accumulate, islice

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.idsets import DocIdSet
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher

MAX_CACHED_BYTES = 32 * 1024 * 1024
MAX_CACHED_ORDERS = 64

_segment_terms: OrderedDict = OrderedDict()  # (segment id, field, text) -> bits, LRU
_segment_terms_bytes = 0
_segment_orders: OrderedDict = OrderedDict()  # (segment id, field) -> (lengths, docnums), LRU
_lock = threading.Lock()


def from_docnums(docnums) -> int:
    docnums = docnums if isinstance(docnums, list | tuple) else list(docnums)
    buf = bytearray((max(docnums, default=-1) + 8) // 8)
    for d in docnums:
        buf[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(buf, "little")


class BitsFilter(DocIdSet):
    """``bits`` as the ``filter=`` of a Whoosh search (only membership is asked)."""

    def __init__(self, bits: int) -> None:
        self._data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
        self._count = bits.bit_count()

    def __contains__(self, d: int) -> bool:
        byte = d >> 3
        return byte < len(self._data) and bool(self._data[byte] >> (d & 7) & 1)

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        return (
            byte * 8 + bit
            for byte, value in enumerate(self._data)
            if value
            for bit in range(8)
            if value >> bit & 1
        )


def term_bits(searcher, fieldname: str, text, deleted: dict) -> int:
    """Documents of ``searcher`` containing a term. ``deleted`` caches each segment's
    deleted documents for this searcher (they change with every generation)."""
    bits = 0
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        segment = reader.segment()
        if segment is None:  # not a segment (an empty index): nothing cached
            local = from_docnums(leaf.docs_for_query(wq.Term(fieldname, text)))
        else:
            local = _segment_term(reader, segment.segid, fieldname, text)
            if local and reader.has_deletions():
                if segment.segid not in deleted:
                    deleted[segment.segid] = from_docnums(reader.deleted_docs_set)
                local &= ~deleted[segment.segid]
        bits |= local << offset
    return bits


def _segment_term(reader, segid: str, fieldname: str, text) -> int:
    global _segment_terms_bytes
    key = (segid, fieldname, text)
    with _lock:
        if key in _segment_terms:
            _segment_terms.move_to_end(key)
            return _segment_terms[key]
    bits = from_docnums(_postings(reader, fieldname, text))
    size = 64 + (bits.bit_length() + 7) // 8
    with _lock:
        if key not in _segment_terms:
            _segment_terms[key] = bits
            _segment_terms_bytes += size
            while _segment_terms_bytes > MAX_CACHED_BYTES and len(_segment_terms) > 1:
                _old, dropped = _segment_terms.popitem(last=False)
                _segment_terms_bytes -= 64 + (dropped.bit_length() + 7) // 8
    return bits


def _postings(reader, fieldname: str, text):
    """Document numbers of a term in one segment, deleted ones included, read a whole
    posting block at a time (Whoosh's matcher steps one document per Python call)."""
    if (fieldname, text) not in reader:
        return ()
    matcher = reader.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):  # hides deletions: applied by the caller
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):  # another codec: Whoosh's own iteration
        return matcher.all_ids()
    return _blocks(matcher)


def _blocks(matcher: W3LeafMatcher):
    while matcher.is_active():
        matcher._read_data()
        ids = matcher._data[0]
        yield from ids if matcher._byteids else accumulate(ids)
        matcher._next_block()


def shortest_first(searcher, fieldname: str, bits: int, count: int) -> list[int]:
    """The first ``count`` documents of ``bits`` by length of ``fieldname`` (then document
    number): for a common word, BM25 favours the short documents that contain it."""
    streams = []
    for leaf, offset in searcher.leaf_searchers():
        lengths, docnums = _segment_order(leaf.reader(), fieldname)
        streams.append(zip(lengths, _shifted(docnums, offset), strict=True))
    wanted = BitsFilter(bits)
    ordered = (d for _length, d in heapq.merge(*streams) if d in wanted)
    return list(islice(ordered, count))


def _shifted(docnums, offset: int):
    return (d + offset for d in docnums)


def _segment_order(reader, fieldname: str) -> tuple[array, array]:
    segment = reader.segment()
    key = (segment.segid, fieldname) if segment is not None else None
    with _lock:
        if key in _segment_orders:
            _segment_orders.move_to_end(key)
            return _segment_orders[key]
    docnums = range(reader.doc_count_all())  # deleted ones too: they never match
    pairs = sorted((reader.doc_field_length(d, fieldname), d) for d in docnums)
    order = (array("I", (n for n, _d in pairs)), array("I", (d for _n, d in pairs)))
    if key is not None:
        with _lock:
            _segment_orders[key] = order
            while len(_segment_orders) > MAX_CACHED_ORDERS:
                _segment_orders.popitem(last=False)
    return order


class DocNumbers(wq.Query):
    """Exactly these document numbers of ``searcher``, unscored (the right side of a
    ``Require``: Whoosh then skips straight to them instead of walking every posting)."""

    def __init__(self, searcher, docnums) -> None:
        self.searcher = searcher
        self.docnums = sorted(docnums)

    def __eq__(self, other) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"DocNumbers({len(self.docnums)})"

    def estimate_size(self, ixreader) -> int:
        return len(self.docnums)

    def matcher(self, searcher, context=None):
        for leaf, offset in self.searcher.leaf_searchers():
            if leaf is searcher:
                start = bisect_left(self.docnums, offset)
                end = bisect_left(self.docnums, offset + leaf.doc_count_all())
                ids = [d - offset for d in self.docnums[start:end]]
                return ListMatcher(ids, all_weights=1.0) if ids else NullMatcher()
        return NullMatcher()
