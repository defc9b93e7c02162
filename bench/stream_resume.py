"""Benchmark of the realtime stream: resume time and publish→receive latency.

Runs real Daphne subprocesses against a scratch database and prints figures:

* resume: a user with N stored events (among M events of other users) reconnects and
  resumes from 0; time from the `resume` frame to `resumed`, and events/s;
* latency: publish() in this process (commit included) → frame received by a websocket
  client; with REDIS_URL also across two Daphne processes.

    python bench/stream_resume.py                     # embedded: SQLite, in-memory layer
    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/stream_resume.py

A scratch SQLite file (embedded) or database ``<name>_bench_stream`` (PostgreSQL) is
created and dropped.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PACE = 0.07
sys.path.insert(0, str(ROOT))


def scratch_database_url(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_bench_stream"
    return urlunparse(parsed._replace(path="/" + name)), name


def admin_sql(url: str, sql: str) -> None:
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username,
        password=parsed.password, dbname="postgres", autocommit=True,
    ) as conn:
        conn.execute(sql)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def bench_resume(server, user, expected: int, rounds: int) -> list[float]:
    from tests.support.live import ws_connect

    timings = []
    for _ in range(rounds):
        ws = await ws_connect(server, user)
        await ws.recv_until("hello")
        started = time.perf_counter()
        await ws.send_json({"type": "resume", "after": 0})
        count = 0
        while (await ws.recv_json(timeout=120))["type"] != "resumed":
            count += 1
        timings.append(time.perf_counter() - started)
        assert count == expected, (count, expected)
        await ws.close()
    return timings


async def bench_latency(publisher_server, reader_server, user, samples: int) -> list[float]:
    """publish() here → frame on a client of ``reader_server``; seconds per event."""
    from asgiref.sync import sync_to_async
    from django.db import transaction

    from realtime.services import publish
    from tests.support.live import ws_connect

    def publish_one(n: int) -> int:
        with transaction.atomic():
            return publish(type="bench.ping", payload={"n": n}, user_id=user.pk).seq

    ws = await ws_connect(reader_server, user)
    await ws.recv_until("hello")
    latencies = []
    for n in range(samples):
        started = time.perf_counter()
        seq = await sync_to_async(publish_one)(n)
        frame = await ws.recv_json(timeout=30)
        latencies.append(time.perf_counter() - started)
        assert frame["seq"] == seq
    await ws.close()
    return latencies


async def bench_cross_process(server_a, server_b, user, sender, samples: int) -> list[float]:
    """A frame handled by process A publishes; a client of process B receives."""
    from tests.support.live import ws_connect

    reader = await ws_connect(server_b, user)
    writer = await ws_connect(server_a, sender)
    await reader.recv_until("hello")
    await writer.recv_until("hello")
    latencies = []
    for _ in range(samples):
        started = time.perf_counter()
        await writer.send_json({"type": "test.publish", "count": 1, "user_id": user.pk})
        try:
            await reader.recv_json(timeout=30)
        except TimeoutError:
            print("no event; the writer got:", await writer.recv_json(timeout=30))
            raise
        latencies.append(time.perf_counter() - started)
        await writer.recv_until("test.published")
        await asyncio.sleep(PACE)  # stay under the per-socket rate limit (20 frames/s)
    await reader.close()
    await writer.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="events of the resuming user")
    parser.add_argument("--noise", type=int, default=90_000, help="events of other users")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="sahakar-bench-stream-"))
    prefix = f"sahakar-bench-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "SAHAKAR_DATA_DIR": str(data_dir),
        "SAHAKAR_LIVE_CHANNEL_PREFIX": prefix,
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
    original_url = os.environ.get("DATABASE_URL", "")
    if original_url:
        env["DATABASE_URL"], db_name = scratch_database_url(original_url)
        admin_sql(original_url, f'DROP DATABASE IF EXISTS "{db_name}"')
        admin_sql(original_url, f'CREATE DATABASE "{db_name}"')
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")

    from tests.support.live_env import configure

    configure()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from realtime.models import Event
    from tests.support.live import LivePool

    print(f"database: {connection.vendor}; channel layer: "
          f"{'redis' if os.environ.get('REDIS_URL') else 'in-memory'}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f}s")
    User = get_user_model()
    user = User.objects.create_user("bench-reader")
    sender = User.objects.create_user("bench-writer")
    others = [User.objects.create_user(f"bench-other-{i}") for i in range(20)]
    started = time.perf_counter()
    batch = []
    total = args.events + args.noise
    for i in range(total):
        # Interleave: the reader's events are spread through the whole stream.
        owner = user if i % max(1, total // max(1, args.events)) == 0 else others[i % 20]
        batch.append(Event(user=owner, type="bench.event", payload={"n": i, "text": "សួស្តី"}))
    Event.objects.bulk_create(batch, batch_size=5000)
    expected = Event.objects.filter(user=user).count()
    print(f"stored {total} events ({expected} for the reader) "
          f"in {time.perf_counter() - started:.1f}s")
    connection.close()

    pool = LivePool(
        data_dir=data_dir, env={**env, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}, cwd=ROOT
    )
    try:
        hooks = ("tests.realtime.live_hooks",)
        servers = pool.start(count=2 if os.environ.get("REDIS_URL") else 1, preload=hooks)
        timings = asyncio.run(bench_resume(servers[0], user, expected, args.rounds))
        best = min(timings)
        print(f"resume {expected} events: best {best:.2f}s, median "
              f"{statistics.median(timings):.2f}s of {args.rounds} "
              f"({expected / best:,.0f} events/s)")
        if os.environ.get("REDIS_URL"):
            latencies = asyncio.run(bench_latency(servers[0], servers[1], user, args.samples))
            print(f"publish() here (commit included) → client on Daphne B via Redis: "
                  f"p50 {percentile(latencies, 50) * 1000:.1f} ms, "
                  f"p99 {percentile(latencies, 99) * 1000:.1f} ms ({args.samples} events)")
        if os.environ.get("REDIS_URL"):
            latencies = asyncio.run(
                bench_cross_process(servers[0], servers[1], user, sender, args.samples)
            )
            print(f"frame on Daphne A → publish → client on Daphne B (Redis pub/sub): "
                  f"p50 {percentile(latencies, 50) * 1000:.1f} ms, "
                  f"p99 {percentile(latencies, 99) * 1000:.1f} ms ({args.samples} events)")
        else:
            latencies = asyncio.run(
                bench_cross_process(servers[0], servers[0], user, sender, args.samples)
            )
            print(f"frame → publish → other client, one Daphne (in-memory layer): "
                  f"p50 {percentile(latencies, 50) * 1000:.1f} ms, "
                  f"p99 {percentile(latencies, 99) * 1000:.1f} ms ({args.samples} events)")
    finally:
        pool.stop_all()
        if original_url:
            from django.db import connections

            connections.close_all()
            admin_sql(original_url, f'DROP DATABASE IF EXISTS "{db_name}"')


if __name__ == "__main__":
    main()
