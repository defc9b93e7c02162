"""A bystander's ping round trip while another client floods the same Daphne process.

tests/security/test_ws_fuzz.py proves that a flood is rate limited and that another
client's ping is still answered; this measures how fast (issue #15 asks for under 50 ms).
One Daphne process, two users: the bystander sends ``{"type": "ping"}`` frames one at a
time, 10 a second (a round trip each), while the flooder, a process of its own, sends
each kind of frame below as fast as the socket takes them. Prints p50 / p99 / max of the
bystander's round trips per kind, with no flood first, and the load average.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sahakar REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/ws_flood_ping.py [--pings 150]

Creates and drops a scratch database ``<name>_bench_chat``. Client and server share the
machine, so the client's own CPU is part of the round trips (an upper bound).
"""

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chat_fanout import admin_sql, connect, percentile, scratch_database_url  # noqa: E402

FLOODS = {
    "unknown type, 40 B": '{"type": "nope", "id": 1}',
    "not JSON, 40 B": "{type: nope, this is not json at all}",
    "nested 5,000 deep, 10 KB": '{"type":"ping","x":' + "[" * 5000 + "]" * 5000 + "}",
    "over 64 KB": '{"type":"ping","pad":"' + "a" * 70_000 + '"}',
}


async def round_trips(ws, count: int) -> list[float]:
    """``count`` pings, 10 a second: under the socket's rate limit (20 frames a second)."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await ws.send_json({"type": "ping"})
        await ws.recv_until("pong")
        times.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - started)))
    return times


async def flood(url: str, headers: dict, origin: str, text: str, seconds: float) -> None:
    from websockets.asyncio.client import connect as ws_open

    async with ws_open(url, origin=origin, additional_headers=headers,
                       max_size=4 * 1024 * 1024) as ws:
        await ws.recv()  # hello
        reader = asyncio.create_task(_drain(ws))
        sent, deadline = 0, time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            await ws.send(text)
            sent += 1
        reader.cancel()
    print(f"  {sent} frames sent", flush=True)


async def _drain(ws) -> None:
    """Read the flooder's error answers so its socket never backs up."""
    async for _frame in ws:
        pass


def flood_process(server, cookie: str, text: str, seconds: float) -> multiprocessing.Process:
    """The flooder in a process of its own: its sending takes no time from the bystander's
    client."""
    url = f"ws://{server.host}:{server.port}/ws/"
    process = multiprocessing.Process(target=lambda: asyncio.run(
        flood(url, {"Cookie": cookie}, server.origin, text, seconds)))
    process.start()
    return process


async def run(server, flooder, bystander, pings: int) -> None:
    from asgiref.sync import sync_to_async

    from tests.support.live import login_cookie

    cookie = await sync_to_async(login_cookie)(flooder)
    async with await connect(server, bystander) as calm:
        await calm.recv_until("hello")
        await round_trips(calm, 20)  # warm up
        rows = [("no flood", await round_trips(calm, pings))]
        for name, text in FLOODS.items():
            print(f"flooding: {name}", flush=True)
            process = flood_process(server, cookie, text, seconds=pings / 10 + 3)
            await asyncio.sleep(2)  # the flood is under way
            rows.append((name, await round_trips(calm, pings)))
            await asyncio.to_thread(process.join)
        print(f"{'flood':28} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
        for name, times in rows:
            print(f"{name:28} {percentile(times, 50):7.1f} {percentile(times, 99):7.1f} "
                  f"{max(times):7.1f}")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
              f"{pings} pings per row")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pings", type=int, default=150)
    args = parser.parse_args()
    original_url = os.environ.get("DATABASE_URL", "")
    if not (original_url and os.environ.get("REDIS_URL")):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL, as in production.")

    data_dir = Path(tempfile.mkdtemp(prefix="sahakar-bench-flood-"))
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

    from tests.support.live import LivePool

    call_command("migrate", verbosity=0)
    users = get_user_model().objects
    flooder, bystander = users.create_user("flooder"), users.create_user("bystander")
    pool = LivePool(data_dir=data_dir, env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    try:
        server = pool.start(count=1)[0]
        print("database: PostgreSQL; channel layer: redis; one Daphne process")
        asyncio.run(run(server, flooder, bystander, args.pings))
    finally:
        pool.stop_all()
        connection.close()
        admin_sql(original_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
