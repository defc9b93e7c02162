"""A 30-block knowledge article: server time uncached and from cache, and its weight.

    .venv/bin/python bench/knowledge_article.py [--requests N]

Uses a throw-away data directory (migrates it first, which takes a minute). Builds one
article of 30 StreamField blocks (rich text with headings, callouts, numbered steps, tables,
FAQ), then prints, over N requests each (test client, no network; median and p95):

* body render: the article body (blocks + table of contents) with the cache cleared before
  every call, and from the cache;
* whole page: the full response (routing, private-space check, shell) with every cache
  cleared before each request, with only the body cached, and from the response cache
  (knowledge.middleware); anonymous and signed in;
* the queries of one warm request;
* HTML + CSS bytes a first visit downloads for the page (raw and gzip).
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
            {"type": "rich_text", "value": f"<h2>Section {i + 1}</h2><p>{'Assess the child. ' * 30}"
                                           f"</p><h3>Details {i + 1}</h3><ul><li>One</li><li>Two"
                                           "</li></ul>"},
            {"type": "callout", "value": {"kind": "warning", "title": "Danger signs",
                                          "text": "<p>Refer if the child cannot drink.</p>"}},
            {"type": "steps", "value": {"title": "Steps", "steps": [
                f"<p>Step {n}: give 30 ml/kg over 30 minutes.</p>" for n in range(1, 6)]}},
            {"type": "table", "value": {"data": [["Age", "First", "Then"]] + [
                [f"{n} months", "30 ml/kg", "70 ml/kg"] for n in range(8)],
                "first_row_is_table_header": True}},
            {"type": "faq", "value": {"items": [
                {"question": f"Question {n}?", "answer": "<p>An answer of a sentence.</p>"}
                for n in range(4)]}},
        ]
    return blocks


def timed(fn, requests: int, before=None) -> tuple[float, float, float]:
    """Median and p95 wall time, and median CPU time of this process (ms): on a shared,
    busy machine the CPU time is the figure that does not count other people's work."""
    times, cpu = [], []
    for _ in range(requests):
        if before:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    return (
        statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)],
        statistics.median(cpu),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
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
        from knowledge.selectors import body_cache_key, rendered_body
        from knowledge.services import ensure_tree

        index = ensure_tree()
        space = index.add_child(instance=KnowledgeSpacePage(title="Bench", slug="bench"))
        page = space.add_child(instance=ArticlePage(
            title="Thirty blocks", slug="thirty", body=thirty_blocks(), summary="A long one."))
        page.save_revision().publish()
        page = ArticlePage.objects.get(pk=page.pk)
        assert len(page.body) == 30
        client = Client()
        url = page.url

        def purge():
            cache.delete(body_cache_key(page.pk, "en"))

        def purge_all():
            purge()
            response_cache.purge_all()

        body_cold = timed(lambda: rendered_body(page=page), args.requests, before=purge)
        body_warm = timed(lambda: rendered_body(page=page), args.requests)
        page_cold = timed(lambda: client.get(url), args.requests, before=purge_all)
        client.get(url)
        page_body = timed(lambda: client.get(url), args.requests, before=response_cache.purge_all)
        client.get(url)
        assert client.get(url).headers.get("X-Knowledge-Cache") == "hit"
        page_warm = timed(lambda: client.get(url), args.requests)
        signed_in = Client()
        signed_in.force_login(get_user_model().objects.create_user("bench", password="x"))
        user_cold = timed(lambda: signed_in.get(url), args.requests, before=purge_all)
        signed_in.get(url)
        assert signed_in.get(url).headers.get("X-Knowledge-Cache") == "hit"
        user_warm = timed(lambda: signed_in.get(url), args.requests)
        client.get(url)  # the signed-in runs purged the anonymous entry
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            html = response.content
        assert response.headers.get("X-Knowledge-Cache") == "hit"
        with CaptureQueriesContext(connection) as user_queries:
            signed_in.get(url)

        css = b""
        for name in ("sahakar/css/shell.css", "knowledge/knowledge.css"):
            found = finders.find(name)
            css += Path(found).read_bytes() if found else b""
        print(f"article: 30 blocks, {args.requests} requests each (wall median / p95, ms); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for label, (p50, p95, cpu) in (
            ("body render, uncached", body_cold), ("body render, cached  ", body_warm),
            ("page, anonymous, nothing cached      ", page_cold),
            ("page, anonymous, body cached         ", page_body),
            ("page, anonymous, from response cache ", page_warm),
            ("page, signed in, nothing cached      ", user_cold),
            ("page, signed in, from response cache ", user_warm),
        ):
            print(f"  {label} : {p50:7.2f} / {p95:7.2f}   (CPU median {cpu:7.2f})")
        print(f"  queries of a response-cache hit: anonymous {len(queries)}, "
              f"signed in {len(user_queries)} (session, user, bell count)")
        total, total_gz = len(html) + len(css), len(gzip.compress(html)) + len(gzip.compress(css))
        print(f"  HTML {len(html) / 1024:.1f} KB (gzip {len(gzip.compress(html)) / 1024:.1f}), "
              f"CSS {len(css) / 1024:.1f} KB (gzip {len(gzip.compress(css)) / 1024:.1f}); "
              f"total {total / 1024:.1f} KB (gzip {total_gz / 1024:.1f})")


if __name__ == "__main__":
    main()
