"""Idle sockets on one Daphne process: memory, keepalive answers, and the database's cost.

Opens N authenticated sockets (each waits for its ``hello``) on one Daphne process, then
leaves them idle. Prints, per step of sockets: the process's RSS, the round trip of
``{"type": "ping"}`` frames and of websocket keepalive pings from a sample of sockets
spread over the idle window, and the database transactions per second the process made
while nothing happened (the periodic checkpoints), with the load average.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sahakar REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/idle_sockets.py --steps 500,5000 [--idle 40]

Creates and drops a scratch database ``<name>_bench_chat``. One client process holds all
sockets, so on a small machine its own CPU is part of the round trips (an upper bound).
"""

import argparse
import asyncio
import gc
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import gc_pauses  # noqa: E402
from bench.chat_fanout import admin_sql, connect, percentile, scratch_database_url  # noqa: E402

SAMPLE = 100


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_pauses(server) -> list[float]:
    return [
        float(line.rsplit("ms=", 1)[1])
        for line in server.log_path.read_text(errors="replace").splitlines()
        if line.startswith("gc-pause")
    ]


def transactions(db_name: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            [db_name],
        )
        return cursor.fetchone()[0]


async def drain(ws) -> None:
    """Read (and drop) what the server sends: an unread socket stops answering pings."""
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in ws.connection:
            if '"pong"' in raw:
                ws.skipped.append(time.perf_counter())
    except ConnectionClosed:
        pass


async def open_sockets(server, users, sockets: list, readers: list) -> None:
    for start in range(0, len(users), 50):
        chunk = users[start : start + 50]
        batch = await asyncio.gather(*(connect(server, u, attempts=10) for u in chunk))
        await asyncio.gather(*(ws.recv_until("hello", timeout=120) for ws in batch))
        for ws in batch:
            ws.skipped.clear()
            readers.append(asyncio.create_task(drain(ws)))
        sockets += batch


async def idle_window(sockets: list, seconds: float) -> dict:
    """Ping a random sample of sockets, one at a time, spread over ``seconds``."""
    app_rtts, keepalive_rtts = [], []
    sample = random.sample(sockets, min(SAMPLE, len(sockets)))
    pause = seconds / len(sample)
    for ws in sample:
        await asyncio.sleep(pause * random.uniform(0.5, 1.5))
        ws.skipped.clear()
        sent = time.perf_counter()
        await ws.send_json({"type": "ping"})
        for _ in range(200):
            if ws.skipped:
                break
            await asyncio.sleep(0.005)
        if ws.skipped:
            app_rtts.append(ws.skipped[0] - sent)
        sent = time.perf_counter()
        await asyncio.wait_for(await ws.connection.ping(), 10)
        keepalive_rtts.append(time.perf_counter() - sent)
    return {"app": app_rtts, "keepalive": keepalive_rtts, "unanswered": len(sample) - len(app_rtts)}


async def run(server, users, steps: list[int], idle: float, db_name: str) -> None:
    from asgiref.sync import sync_to_async

    sockets: list = []
    readers: list = []
    print(
        "| sockets | RSS | RSS per socket | ping frame p50 / p99 / max | keepalive p50 / p99 "
        "| unanswered | DB transactions/s idle | GC pauses ≥ 20 ms server / client (max) | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    base_rss = rss_mb(server.process.pid)
    for step in steps:
        await open_sockets(server, users[len(sockets) : step], sockets, readers)
        # In life every socket is a different client: keep this one process's collections of
        # its own 5,000 sockets out of the round trips.
        gc.collect()
        gc.freeze()
        await asyncio.sleep(5)  # the joins' own reads settle
        before, started = await sync_to_async(transactions)(db_name), time.perf_counter()
        paused = len(server_pauses(server)), len(gc_pauses.PAUSES)
        window = await idle_window(sockets, idle)
        server_gc = server_pauses(server)[paused[0] :]
        client_gc = [ms for _generation, ms in gc_pauses.PAUSES[paused[1] :]]
        rate = (await sync_to_async(transactions)(db_name) - before) / (
            time.perf_counter() - started
        )
        rss = rss_mb(server.process.pid)
        app, keepalive = window["app"], window["keepalive"]
        print(
            f"| {len(sockets)} | {rss:.0f} MB | {(rss - base_rss) * 1024 / len(sockets):.0f} KB "
            f"| {percentile(app, 50) * 1000:.1f} / {percentile(app, 99) * 1000:.1f} / "
            f"{max(app) * 1000:.1f} ms | {percentile(keepalive, 50) * 1000:.1f} / "
            f"{percentile(keepalive, 99) * 1000:.1f} ms | {window['unanswered']} "
            f"| {rate:.1f} | {len(server_gc)} ({max(server_gc, default=0):.0f} ms) / "
            f"{len(client_gc)} ({max(client_gc, default=0):.0f} ms) | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.connection.close() for ws in sockets), return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", default="500,5000")
    parser.add_argument("--idle", type=float, default=40.0, help="seconds of idle per step")
    args = parser.parse_args()
    steps = sorted(int(s) for s in args.steps.split(",") if s)
    original_url = os.environ.get("DATABASE_URL", "")
    if not (original_url and os.environ.get("REDIS_URL")):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL, as in production.")

    data_dir = Path(tempfile.mkdtemp(prefix="sahakar-bench-idle-"))
    env = {
        **os.environ,
        "SAHAKAR_DATA_DIR": str(data_dir),
        "SAHAKAR_LIVE_CHANNEL_PREFIX": f"sahakar-bench-{uuid.uuid4().hex[:8]}",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
    }
    env["DATABASE_URL"], db_name = scratch_database_url(original_url)
    admin_sql(original_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
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

    from realtime.chat import services
    from realtime.chat.models import Membership
    from tests.support.live import LivePool

    call_command("migrate", verbosity=0)
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"idle-{i}") for i in range(steps[-1])], batch_size=1000
    )
    # Everyone is in a few rooms, as people are: each socket subscribes to their streams.
    for n in range(10):
        room = services.create_room(creator=users[0], kind="public", name=f"idle-{n}")
        Membership.objects.bulk_create(
            [Membership(room=room, user=u) for u in users[1 + n :: 10]], batch_size=1000
        )

    pool = LivePool(data_dir=data_dir, env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    try:
        server = pool.start(count=1, preload=("bench.gc_pauses",))[0]
        print(f"database: {connection.vendor}; channel layer: redis; one Daphne process")
        asyncio.run(run(server, users, steps, args.idle, db_name))
    finally:
        pool.stop_all()
        connection.close()
        admin_sql(original_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
