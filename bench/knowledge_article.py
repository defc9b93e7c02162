"""A 30-block knowledge article: server time uncached and from cache, and its weight.

    .venv/bin/python bench/knowledge_article.py [--requests N] [--profile]

Uses a throw-away data directory (migrates it first, which takes a minute). Builds one
article of 30 StreamField blocks (rich text with headings, callouts, numbered steps, tables,
FAQ), then prints, over N requests each (test client, no network; median and p95):

* body render: the article body (blocks + table of contents) with the cache cleared before
  every call, and from the cache;
* whole page: the full response (routing, private-space check, shell) with the knowledge
  caches (response, body, audience) cleared before each request, with only the body cached,
  and from the response cache (knowledge.middleware); anonymous and signed in (the session
  and the reader's identity stay cached, as for any signed-in reader);
* the queries of one request, nothing cached and from the response cache;
* HTML + CSS bytes a first visit downloads for the page (raw and gzip);
* with --sql, the queries of each uncached request;
* with --profile, cProfile of the uncached anonymous page (top 30, cumulative).
"""

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup(data_dir: str) -> None:
    os.environ["SAHAKAR_DATA_DIR"] = data_dir
    os.environ.setdefault("DEBUG", "0")  # as served: no debug bookkeeping
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def thirty_blocks() -> list[dict]:
    blocks = []
    for i in range(6):
        blocks += [
            {
                "type": "rich_text",
                "value": f"<h2>Section {i + 1}</h2><p>{'Assess the child. ' * 30}"
                f"</p><h3>Details {i + 1}</h3><ul><li>One</li><li>Two"
                "</li></ul>",
            },
            {
                "type": "callout",
                "value": {
                    "kind": "warning",
                    "title": "Danger signs",
                    "text": "<p>Refer if the child cannot drink.</p>",
                },
            },
            {
                "type": "steps",
                "value": {
                    "title": "Steps",
                    "steps": [
                        f"<p>Step {n}: give 30 ml/kg over 30 minutes.</p>" for n in range(1, 6)
                    ],
                },
            },
            {
                "type": "table",
                "value": {
                    "data": [["Age", "First", "Then"]]
                    + [[f"{n} months", "30 ml/kg", "70 ml/kg"] for n in range(8)],
                    "first_row_is_table_header": True,
                },
            },
            {
                "type": "faq",
                "value": {
                    "items": [
                        {"question": f"Question {n}?", "answer": "<p>An answer of a sentence.</p>"}
                        for n in range(4)
                    ]
                },
            },
        ]
    return blocks


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(int(len(values) * 0.95) - 1, 0)]


def timed(fn, requests: int, before=None) -> tuple[float, float, float, float]:
    """Wall median / p95 and CPU median / p95 of this process (ms): on a shared, busy
    machine the CPU time is the figure that does not count other people's work."""
    times, cpu = [], []
    for _ in range(requests):
        if before:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(times), _p95(times), statistics.median(cpu), _p95(cpu)


def profile(fn, before, requests: int) -> None:
    """Where an uncached anonymous request spends its time (cumulative, top 30)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    for _ in range(requests):
        before()
        profiler.enable()
        fn()
        profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile the uncached anonymous page"
    )
    parser.add_argument(
        "--sql", action="store_true", help="also print the queries of each uncached request"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sahakar-kb-bench-") as data_dir:
        setup(data_dir)
        from django.contrib.auth import get_user_model
        from django.contrib.staticfiles import finders
        from django.core.cache import cache
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from knowledge import response_cache
        from knowledge.models import ArticlePage, KnowledgeSpacePage
        from knowledge.rendering import body_cache_key, rendered_body
        from knowledge.services import ensure_tree

        index = ensure_tree()
        space = index.add_child(instance=KnowledgeSpacePage(title="Bench", slug="bench"))
        page = space.add_child(
            instance=ArticlePage(
                title="Thirty blocks", slug="thirty", body=thirty_blocks(), summary="A long one."
            )
        )
        page.save_revision().publish()
        page = ArticlePage.objects.get(pk=page.pk)
        assert len(page.body) == 30
        anonymous, signed_in = Client(), Client()
        signed_in.force_login(get_user_model().objects.create_user("bench", password="x"))
        url = page.url

        def purge_body():
            cache.delete(body_cache_key(page.pk, "en"))

        def purge_all():
            purge_body()
            response_cache.purge_all()

        def queries(client, before=None) -> int:
            if before:
                before()
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            if args.sql and before:
                print("\n".join(f"    {q['sql'][:300]}" for q in captured.captured_queries))
            return len(captured)

        load_before = os.getloadavg()[0]
        rows = [
            (
                "body render, uncached",
                timed(lambda: rendered_body(page=page), args.requests, before=purge_body),
            ),
            ("body render, cached", timed(lambda: rendered_body(page=page), args.requests)),
        ]
        counts = []
        for label, client in (("anonymous", anonymous), ("signed in", signed_in)):
            get = lambda c=client: c.get(url)  # noqa: E731
            rows.append((f"page, {label}, nothing cached", timed(get, args.requests, purge_all)))
            get()
            rows.append(
                (f"page, {label}, body cached", timed(get, args.requests, response_cache.purge_all))
            )
            get()
            assert get().headers.get("X-Knowledge-Cache") == "hit"
            rows.append((f"page, {label}, from the response cache", timed(get, args.requests)))
            counts.append((label, queries(client, purge_all), queries(client)))
        html = anonymous.get(url).content

        css = b""
        for name in ("sahakar/css/shell.css", "knowledge/knowledge.css"):
            found = finders.find(name)
            css += Path(found).read_bytes() if found else b""
        print(
            f"article: 30 blocks, {args.requests} requests each; load average "
            f"{load_before:.1f} at start, {os.getloadavg()[0]:.1f} at end, {os.cpu_count()} cores"
        )
        print(f"  {'(ms)':40} wall median / p95    CPU median / p95")
        for label, (p50, p95, cpu50, cpu95) in rows:
            print(f"  {label:40} {p50:7.2f} / {p95:7.2f}    {cpu50:7.2f} / {cpu95:7.2f}")
        for label, miss, hit in counts:
            print(f"  queries, {label}: nothing cached {miss}, response-cache hit {hit}")
        total, total_gz = len(html) + len(css), len(gzip.compress(html)) + len(gzip.compress(css))
        print(
            f"  HTML {len(html) / 1024:.1f} KB (gzip {len(gzip.compress(html)) / 1024:.1f}), "
            f"CSS {len(css) / 1024:.1f} KB (gzip {len(gzip.compress(css)) / 1024:.1f}); "
            f"total {total / 1024:.1f} KB (gzip {total_gz / 1024:.1f})"
        )
        if args.profile:
            profile(lambda: anonymous.get(url), purge_all, args.requests)


if __name__ == "__main__":
    main()
