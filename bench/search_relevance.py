"""Recall@10 of the relevance set (tests/search/corpus.py) under three analyzers.

    .venv/bin/python bench/search_relevance.py

* haystack's default for Whoosh (StemmingAnalyzer; what a stock setup indexes with),
* our Khmer analyzer, whole words only (no sub-word fallback),
* our Khmer analyzer with the sub-word fallback (what Sahakar runs).

Each index holds the relevance documents plus filler; queries are parsed the way the
search box parses them. Prints recall per query group (Khmer, English, mixed) and overall,
and the share of returned top-10 results that are expected ones (precision@10).
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def group_of(query: str) -> str:
    from collab.search.analysis import is_khmer

    latin = any(ch.isascii() and ch.isalpha() for ch in query)
    if is_khmer(query):
        return "mixed" if latin else "khmer"
    return "english"


def main() -> None:
    os.environ["SAHAKAR_DATA_DIR"] = tempfile.mkdtemp(prefix="sahakar-relevance-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from whoosh import fields as wf
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.filedb.filestore import RamStorage
    from whoosh.qparser import QueryParser

    from collab.search.analysis import khmer_subword_analyzer, presegment
    from collab.search.fields import KhmerTEXT
    from collab.search.selectors import query_string_for
    from tests.search.corpus import DOCUMENTS, FILLER, QUERIES

    documents = dict(DOCUMENTS)
    documents.update({f"f{i:03d}": FILLER[i % len(FILLER)] for i in range(120)})

    def segmented(text: str) -> dict:
        return {"text": presegment(text)}

    def with_subwords(text: str) -> dict:
        return {"text": presegment(text), "text_sub": presegment(text)}

    setups = {
        "haystack default (StemmingAnalyzer)": (
            wf.Schema(key=wf.ID(stored=True), text=wf.TEXT(analyzer=StemmingAnalyzer())),
            lambda text: {"text": text},
        ),
        "Khmer analyzer, whole words only": (
            wf.Schema(key=wf.ID(stored=True), text=KhmerTEXT()),
            segmented,
        ),
        "Khmer analyzer + sub-word fallback": (
            wf.Schema(
                key=wf.ID(stored=True),
                text=KhmerTEXT(sub_field="text_sub"),
                text_sub=wf.TEXT(analyzer=khmer_subword_analyzer(), phrase=False),
            ),
            with_subwords,
        ),
    }

    print(f"{len(QUERIES)} queries, {len(documents)} documents; recall@10")
    for name, (schema, fields_of) in setups.items():
        index = RamStorage().create_index(schema)
        writer = index.writer()
        for key, text in documents.items():
            writer.add_document(key=key, **fields_of(text))
        writer.commit()
        parser = QueryParser("text", schema=schema)
        totals: dict[str, list[int]] = {}
        returned = relevant_returned = 0
        with index.searcher() as searcher:
            for query, expected in QUERIES.items():
                parsed = parser.parse(query_string_for(query))
                top = {hit["key"] for hit in searcher.search(parsed, limit=10)}
                returned += len(top)
                relevant_returned += len(top & expected)
                for group in (group_of(query), "all"):
                    found, wanted = totals.setdefault(group, [0, 0])
                    totals[group] = [found + len(expected & top), wanted + len(expected)]
        line = ", ".join(
            f"{group} {found / wanted:.0%}"
            for group, (found, wanted) in sorted(totals.items(), key=lambda kv: kv[0] == "all")
        )
        precision = relevant_returned / returned if returned else 0
        print(f"  {name}: {line}; precision@10 {precision:.0%}")


if __name__ == "__main__":
    main()
