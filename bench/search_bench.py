"""Search at scale: N generated mixed Khmer/English documents (default 50,000).

    .venv/bin/python bench/search_bench.py [--docs N] [--processes P] [--queries Q]
        [--corpus zipf|uniform] [--presegmented] [--index DIR] [--no-facets]

Uses a throw-away data directory, or ``--index DIR`` (built there on the first run, reused by
later runs: only the query part is measured again). Prints:

* segmentation + indexing throughput of the rebuild pipeline (process pool + one writer),
  and of the incremental writer (batches of 500, as the worker applies them);
* the time to open a searcher on the finished index;
* query latency (p50/p95/max) of the search box's index work: parse, access filter,
  facets, first page of 20 and its highlighted snippets, over Khmer, English, mixed and
  sub-word queries, with the process's long-lived searcher.

Two corpora:

* ``uniform`` (the first measurement): Khmer runs glue words drawn evenly from the ~150
  words of the relevance corpus, so a typical query word is in ~16 % of all documents;
  segmentation with khmercut is real work (no two runs alike).
* ``zipf`` (default): a vocabulary of 6,000 Khmer words (the real ones plus generated words
  that khmercut keeps whole) and 3,000 Latin words, drawn with Zipf weights (rank^-1.05) as
  in real text; queries draw words with the same weights (so common words are queried more,
  the expensive case). Documents are written pre-segmented (words joined by U+200B, exactly
  what ``presegment`` stores), so building the index costs only the writer — this corpus
  measures query latency; indexing throughput figures come from the uniform corpus.

``--presegmented`` writes the uniform corpus pre-segmented too (same words, same
distribution, no khmercut): a quick way to measure its query latency again.
"""

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ENGLISH = (
    "health centre hospital referral vaccine vaccination measles dengue malaria tuberculosis"
    " report monthly weekly nurse midwife doctor patient emergency ambulance province district"
    " commune training course lesson guideline policy meeting budget supply medicine stock"
    " warehouse water sanitation nutrition children mother pregnancy delivery newborn data entry"
    " outbreak response team schedule staff leave allowance travel form approval review"
).split()


def khmer_vocabulary() -> list[str]:
    from collab.search.analysis import ZWSP, presegment
    from tests.search.corpus import DOCUMENTS, FILLER

    words = set()
    for text in [*DOCUMENTS.values(), *FILLER]:
        for run in presegment(text).split():
            words.update(w for w in run.split(ZWSP) if w and "\u1780" <= w[0] <= "\u17ff")
    return sorted(words)


_CONSONANTS = [chr(c) for c in range(0x1780, 0x17A3)]
_VOWELS = ["", "\u17b6", "\u17b7", "\u17b8", "\u17bb", "\u17bc", "\u17c1", "\u17c4", "\u17c6"]
_LATIN_SYLLABLES = "ka lo ren ti sam pa vor mek dul han sor bek rit nal chu pov ang kre".split()


def zipf_vocabularies(seed: int = 7) -> tuple[list[str], list[str]]:
    """(Khmer words, Latin words), most frequent first."""
    from collab.search.analysis import segment_khmer

    rng = random.Random(seed)
    khmer = set(khmer_vocabulary())
    while len(khmer) < 6000:
        word = "".join(
            rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 3))
        )
        if segment_khmer(word) == (word,):  # a query for it finds it as a word
            khmer.add(word)
    latin = set(ENGLISH)
    while len(latin) < 3000:
        latin.add("".join(rng.choices(_LATIN_SYLLABLES, k=rng.randint(2, 3))))
    khmer_list, latin_list = sorted(khmer), sorted(latin)
    rng.shuffle(khmer_list)
    rng.shuffle(latin_list)
    return khmer_list, latin_list


def zipf_weights(n: int, s: float = 1.05) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


def make_documents(
    n: int, seed: int = 8, corpus: str = "uniform", presegmented: bool = False
) -> list[dict]:
    from haystack.constants import DJANGO_CT, DJANGO_ID, ID

    from collab.search.analysis import ZWSP

    rng = random.Random(seed)
    if corpus == "zipf":
        khmer, latin = zipf_vocabularies()
        kw, lw = zipf_weights(len(khmer)), zipf_weights(len(latin))
        glue = ZWSP  # pre-segmented, as stored

        def pick_km(k):
            return rng.choices(khmer, weights=kw, k=k)

        def pick_en(k):
            return rng.choices(latin, weights=lw, k=k)
    else:
        khmer = khmer_vocabulary()
        glue = ZWSP if presegmented else ""

        def pick_km(k):
            return rng.choices(khmer, k=k)

        def pick_en(k):
            return rng.choices(ENGLISH, k=k)

    kinds = ["person", "unit", "page", "course", "lesson", "message"]
    docs = []
    for i in range(n):
        parts = []
        for _ in range(rng.randint(3, 8)):
            if rng.random() < 0.65:
                parts.append(glue.join(pick_km(rng.randint(3, 12))) + "។")
            else:
                parts.append(" ".join(pick_en(rng.randint(3, 10))) + ".")
        title = glue.join(pick_km(3)) + " " + " ".join(pick_en(2))
        docs.append(
            {
                # A registered model's type, so results go through haystack unchanged.
                ID: f"directory.person.{i}",
                DJANGO_CT: "directory.person",
                DJANGO_ID: str(i),
                "text": title + "\n" + " ".join(parts),
                "title": title,
                "title_km": "",
                "url": f"/bench/{i}/",
                "kind": kinds[i % len(kinds)],
                "access": ["all"] if i % 10 else [f"room_{i % 97}"],
            }
        )
    return docs


def make_queries(q: int, seed: int = 9, corpus: str = "uniform") -> list[str]:
    rng = random.Random(seed)
    if corpus == "zipf":
        khmer_all, latin = zipf_vocabularies()
        khmer = [w for w in khmer_all if len(w) >= 2]
        kw, lw = zipf_weights(len(khmer)), zipf_weights(len(latin))
        long_words = [w for w in khmer if len(w) >= 4]
        long_w = zipf_weights(len(long_words))

        def km():
            return rng.choices(khmer, weights=kw)[0]

        def en2():
            return " ".join(rng.choices(latin, weights=lw, k=2))

        def en():
            return rng.choices(latin, weights=lw)[0]

        def long_word():
            return rng.choices(long_words, weights=long_w)[0]
    else:
        khmer = [w for w in khmer_vocabulary() if len(w) >= 2]

        def km():
            return rng.choice(khmer)

        def en2():
            return " ".join(rng.sample(ENGLISH, 2))

        def en():
            return rng.choice(ENGLISH)

        def long_word():
            return rng.choice([w for w in khmer if len(w) >= 4])

    queries = []
    for i in range(q):
        shape = i % 5
        if shape == 0:
            queries.append(km())
        elif shape == 1:
            queries.append(km() + km())  # two words, no space
        elif shape == 2:
            queries.append(en2())
        elif shape == 3:
            queries.append(f"{en()} {km()}")
        else:
            word = long_word()
            queries.append(word[1:] if len(word) > 4 else word)  # a part of a word
    return queries


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def build(args, be) -> None:
    import multiprocessing

    from collab.search.analysis import segment_khmer
    from collab.search.indexes import segment_document

    presegmented = args.corpus == "zipf" or args.presegmented
    docs = make_documents(args.docs, corpus=args.corpus, presegmented=args.presegmented)
    chars = sum(len(d["text"]) for d in docs)
    print(f"{len(docs):,} documents, {chars / len(docs):,.0f} characters each on average")

    cpu_started = time.process_time() + _children_cpu()
    started = time.perf_counter()
    if presegmented:  # nothing to segment
        segmented = [{**d, "text_sub": d["text"]} for d in docs]
    else:
        with multiprocessing.get_context("fork").Pool(args.processes) as pool:
            segmented = pool.map(segment_document, docs, chunksize=64)
    seg_seconds = time.perf_counter() - started
    writer = be.index.writer(limitmb=256)
    for doc in segmented:
        writer.add_document(**be.to_whoosh(doc))
    writer.commit()
    total = time.perf_counter() - started
    cpu_total = time.process_time() + _children_cpu() - cpu_started
    print(
        f"rebuild pipeline ({args.processes} processes): segmentation {seg_seconds:.1f} s "
        f"({chars / max(seg_seconds, 1e-9):,.0f} chars/s), "
        f"total {total:.1f} s = {len(docs) / total:,.0f} docs/s; "
        f"CPU {cpu_total:.0f} s = {len(docs) / cpu_total:,.0f} docs per CPU-second"
    )

    segment_khmer.cache_clear()
    extra = make_documents(1_000, seed=99, corpus=args.corpus)
    for d in extra:
        d["id"] = d["id"] + "000000"
    started, started_cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(extra), 500):
        batch = [segment_document(d) for d in extra[i : i + 500]]
        be.write(docs=batch, remove_ids=[])
    inc, inc_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(
        f"incremental writer (batches of 500, 1 process): {len(extra) / inc:,.0f} docs/s; "
        f"{len(extra) / inc_cpu:,.0f} docs per CPU-second"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--corpus", choices=["zipf", "uniform"], default="zipf")
    parser.add_argument("--presegmented", action="store_true")
    parser.add_argument("--index", help="data directory to build the index in once and reuse")
    parser.add_argument("--no-facets", action="store_true")
    args = parser.parse_args()

    os.environ["SAHAKAR_DATA_DIR"] = args.index or tempfile.mkdtemp(prefix="sahakar-search-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from collab.search.highlight import snippet
    from collab.search.selectors import query_string_for
    from collab.search.services import backend

    be = backend()
    be.setup()
    if be.index.doc_count() == 0:
        build(args, be)
    else:
        print(f"reusing the index in {args.index}")

    started = time.perf_counter()
    be.index.refresh().searcher().close()
    print(
        f"opening a searcher on {be.index.doc_count():,} documents: "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )

    gc.collect()
    access = 'access:("all" OR "room_3" OR "room_5")'
    started = time.perf_counter()
    be.searcher()  # the process's searcher, opened once
    be.search("x", end_offset=1, narrow_queries={access}, facets=["kind"])  # warm caches
    print(
        f"first query after opening (fills per-searcher caches): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
    facets = None if args.no_facets else ["kind"]
    wall, cpu, hits = [], [], []
    for query in make_queries(args.queries, corpus=args.corpus):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = be.search(
            query_string_for(query), end_offset=20, narrow_queries={access}, facets=facets
        )
        for result in found.get("results", []):
            snippet(result.text or "", query)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        hits.append(found.get("hits", 0))
    what = "without facets" if args.no_facets else "with facets"
    print(
        f"query ({len(wall)} queries, {args.corpus} corpus, first page of 20 {what} and snippets):"
    )
    for name, values in (("wall", wall), ("cpu", cpu)):
        print(
            f"  {name}: p50 {statistics.median(values):.1f} ms, "
            f"p95 {percentile(values, 95):.1f} ms, max {max(values):.1f} ms"
        )
    print(f"  median hits {statistics.median(hits):,.0f}; load average {os.getloadavg()[0]:.1f}")
    broad_overlap(be, access, make_queries(args.queries, corpus=args.corpus))


def broad_overlap(be, access: str, queries: list[str]) -> None:
    """How much of the full-scoring top 20 a query of common words only still shows."""
    from collab.search import docsets
    from collab.search.selectors import query_string_for

    _version, searcher, cache = be._current()
    allowed = be._filter_set(searcher, cache, [access])
    overlaps = []
    for query in dict.fromkeys(queries):  # each distinct query once
        parsed = be.parse(query_string_for(query))
        if be._without_common(searcher, cache, parsed) is not None:
            continue
        if len(overlaps) == 30:  # full scoring of such a query takes ~0.4 s
            break
        shown = {
            r.pk
            for r in be.search(query_string_for(query), end_offset=20, narrow_queries={access})[
                "results"
            ]
        }
        full = searcher.search(parsed, limit=20, filter=docsets.BitsFilter(allowed))
        best = {hit["django_id"] for hit in full}
        overlaps.append(len(shown & best) / max(len(best), 1))
    if overlaps:
        print(
            f"  common-words-only queries: {len(overlaps)} distinct; their first page holds "
            f"{statistics.mean(overlaps):.0%} of the full-scoring top 20 on average"
        )


if __name__ == "__main__":
    main()
