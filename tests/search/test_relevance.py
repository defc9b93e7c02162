"""Recall@10 of the relevance set (tests/search/corpus.py) must stay at or above 90%."""

import pytest
from haystack.constants import DJANGO_CT, DJANGO_ID, ID

from collab.search.indexes import segment_document
from collab.search.selectors import query_string_for
from collab.search.services import backend
from tests.search.corpus import DOCUMENTS, FILLER, QUERIES


def _doc(key: str, text: str) -> dict:
    return segment_document(
        {
            ID: f"test.doc.{key}",
            DJANGO_CT: "test.doc",
            DJANGO_ID: key,
            "text": text,
            "title": key,
            "title_km": "",
            "url": "",
            "kind": "doc",
            "access": ["all"],
        }
    )


@pytest.fixture
def corpus_index():
    docs = [_doc(k, t) for k, t in DOCUMENTS.items()]
    docs += [_doc(f"f{i:03d}", FILLER[i % len(FILLER)]) for i in range(120)]
    backend().write(docs=docs, remove_ids=[])


def _top10(query: str) -> list[str]:
    be = backend()
    hits = be.searcher().search(be.parse(query_string_for(query)), limit=10)
    return [hit[DJANGO_ID] for hit in hits]


def test_recall_at_10_is_at_least_90_percent(corpus_index):
    wanted = found = 0
    misses = {}
    for query, expected in QUERIES.items():
        top = set(_top10(query))
        wanted += len(expected)
        found += len(expected & top)
        if expected - top:
            misses[query] = sorted(expected - top)
    recall = found / wanted
    assert recall >= 0.9, f"recall@10 {recall:.1%}; missed: {misses}"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("របេង", "d08"),  # segmented alone as រ + បេង; inside the sentence as one word
        ("គិលានុបដ្ឋាយិកា", "d02"),  # glued to the previous word in the sentence
        ("ទារក", "d06"),  # from the middle of a run of Khmer
        ("លាងដៃ", "d04"),
    ],
)
def test_khmer_word_from_the_middle_of_running_text(corpus_index, query, expected):
    assert expected in _top10(query)


def test_a_word_that_is_not_there_finds_nothing(corpus_index):
    assert _top10("ដំរី") == []  # "elephant"
    assert _top10("helicopter") == []
