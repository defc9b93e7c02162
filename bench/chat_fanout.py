"""Chat fan-out benchmark: N members of one room on two Daphne processes behind Redis.

For each room size, four members take turns sending over /ws/ at a fixed rate while every
member (half connected to each process) receives them. Prints, per size: p50/p99 time
from sending a message to the *last* member receiving it, sustained messages/s, how many
deliveries were lost or duplicated, and the CPU time per delivery of the two servers and of
the clients (steadier than wall time when the machine is busy) with the load average.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sahakar REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/chat_fanout.py --sizes 10,100,1000 [--storm 1000]

Creates and drops a scratch database ``<name>_bench_chat``. Clients are asyncio websocket
clients in this one process, so on a small machine their own CPU time is part of the
figures (they upper-bound the server's latency).
"""

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (messages, messages per second) per room size: the targets are 20/s at 100
# members and 5/s at 1,000.
PLAN = {10: (200, 20.0), 100: (600, 20.0), 1000: (300, 5.0)}
SENDERS = 4
QUIET = 15.0


def scratch_database_url(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_bench_chat"
    return urlunparse(parsed._replace(path="/" + name)), name


def admin_sql(url: str, sql: str) -> None:
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Member:
    def __init__(self, ws, expected: set[str]):
        self.ws = ws
        self.expected = expected
        self.seen: dict[str, float] = {}
        self.duplicates = 0

    async def listen(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws.connection:
                if '"chat.message"' not in raw:
                    continue
                now = time.perf_counter()
                cid = json.loads(raw)["message"]["client_id"]
                if cid in self.seen:
                    self.duplicates += 1
                else:
                    self.seen[cid] = now
        except ConnectionClosed:
            pass


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def connect(server, user, attempts: int = 5):
    """A member's socket; a handshake refused while the servers are busy is retried."""
    from tests.support.live import ws_connect

    for attempt in range(attempts):
        try:
            return await ws_connect(server, user)
        except Exception:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5 * (attempt + 1))


async def run_size(servers, users, room_id: int, messages: int, rate: float) -> dict:
    sockets = []
    for start in range(0, len(users), 25):
        batch = users[start : start + 25]
        sockets += await asyncio.gather(
            *(connect(servers[i % 2], u) for i, u in enumerate(batch, start))
        )
    await asyncio.gather(*(ws.recv_until("hello", timeout=60) for ws in sockets))
    members = [Member(ws, set()) for ws in sockets]
    tasks = [asyncio.create_task(m.listen()) for m in members]
    # A room has several talkers: SENDERS members take turns, on both processes.
    senders = [await connect(servers[i % 2], users[i]) for i in range(SENDERS)]
    await asyncio.gather(*(s.recv_until("hello") for s in senders))
    # Senders read what comes back too: an unread socket stops answering keepalive pings.
    tasks += [asyncio.create_task(Member(s, set()).listen()) for s in senders]

    # Warm up: each sender's first message pays for connections and query compilation in
    # the processes; the figures are for the steady state.
    for sender in senders:
        cid = f"warmup-{uuid.uuid4().hex}"
        await sender.send_json(
            {"type": "chat.send", "room": room_id, "body": "warm-up", "client_id": cid}
        )
        deadline = time.perf_counter() + 30
        while not all(cid in m.seen for m in members) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
    for m in members:
        m.seen.clear()

    sent: dict[str, float] = {}
    server_cpu = sum(cpu_seconds(s.process.pid) for s in servers)
    client_cpu = time.process_time()
    started = time.perf_counter()
    for i in range(messages):
        due = started + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        cid = f"bench-{uuid.uuid4().hex}"
        sent[cid] = time.perf_counter()
        await senders[i % SENDERS].send_json(
            {"type": "chat.send", "room": room_id, "body": f"ping {i} សួស្តី", "client_id": cid}
        )
    # Wait until everything arrived, or nothing new arrived for QUIET seconds (then the
    # rest is lost: the channel layer is at-most-once; a reconnect would resume it).
    last_total, last_change = -1, time.perf_counter()
    while time.perf_counter() - last_change < QUIET:
        total = sum(len(m.seen) for m in members)
        if total >= messages * len(members):
            break
        if total != last_total:
            last_total, last_change = total, time.perf_counter()
        await asyncio.sleep(0.1)
    finished = max((max(m.seen.values()) for m in members if m.seen), default=started)
    server_cpu = sum(cpu_seconds(s.process.pid) for s in servers) - server_cpu
    client_cpu = time.process_time() - client_cpu
    for t in tasks:
        t.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets + senders), return_exceptions=True)

    latencies = []
    for cid, t0 in sent.items():
        arrivals = [m.seen[cid] for m in members if cid in m.seen]
        if len(arrivals) == len(members):
            latencies.append(max(arrivals) - t0)
    lost = sum(1 for m in members for cid in sent if cid not in m.seen)
    deliveries = sum(len(m.seen) for m in members)
    return {
        "members": len(members),
        "messages": messages,
        "rate": rate,
        "p50_ms": percentile(latencies, 50) * 1000 if latencies else float("nan"),
        "p99_ms": percentile(latencies, 99) * 1000 if latencies else float("nan"),
        "msgs_per_s": messages / (finished - started),
        "deliveries": deliveries,
        "server_us": server_cpu / max(deliveries, 1) * 1e6,
        "client_us": client_cpu / max(deliveries, 1) * 1e6,
        "lost": lost,
        "duplicated": sum(m.duplicates for m in members),
    }


async def storm(servers, users) -> dict:
    """Every member connects at once (a reconnect storm after a restart): time from the
    first handshake to the last ``hello`` (sent once the socket's groups really receive)."""
    started = time.perf_counter()
    server_cpu = sum(cpu_seconds(s.process.pid) for s in servers)

    async def one(i: int, user):
        begun = time.perf_counter()
        ws = await connect(servers[i % 2], user, attempts=10)
        await ws.recv_until("hello", timeout=300)
        return ws, time.perf_counter() - begun

    done = await asyncio.gather(*(one(i, u) for i, u in enumerate(users)))
    total = time.perf_counter() - started
    server_cpu = sum(cpu_seconds(s.process.pid) for s in servers) - server_cpu
    waits = sorted(w for _ws, w in done)
    await asyncio.gather(*(ws.close() for ws, _w in done))
    return {
        "sockets": len(users),
        "total_s": total,
        "p50_ms": waits[len(waits) // 2] * 1000,
        "p99_ms": waits[int(len(waits) * 0.99) - 1] * 1000,
        "server_ms": server_cpu / len(users) * 1000,  # CPU per socket: steady under load
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument(
        "--storm", type=int, default=0, help="then connect this many members at once"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    original_url = os.environ.get("DATABASE_URL", "")
    if not (original_url and os.environ.get("REDIS_URL")):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: two processes share Redis.")

    data_dir = Path(tempfile.mkdtemp(prefix="sahakar-bench-chat-"))
    prefix = f"sahakar-bench-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "SAHAKAR_DATA_DIR": str(data_dir),
        "SAHAKAR_LIVE_CHANNEL_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",  # as in production: no query log
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
        [User(username=f"bench-{i}") for i in range(max([*sizes, args.storm]))], batch_size=1000
    )
    rooms = {}
    for size in sizes:
        room = services.create_room(creator=users[0], kind="public", name=f"bench-{size}")
        Membership.objects.bulk_create(
            [Membership(room=room, user=u) for u in users[1:size]], batch_size=1000
        )
        rooms[size] = room.pk
    print(f"database: {connection.vendor}; channel layer: redis pub/sub; two Daphne processes")
    connection.close()

    pool = LivePool(data_dir=data_dir, env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    try:
        servers = pool.start(count=2, preload=("tests.chat.live_hooks",))
        print(
            "| members | messages @ rate | p50 send→last | p99 send→last | msgs/s "
            "| deliveries | lost | duplicated | server CPU / delivery | client CPU / delivery "
            "| load |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for size in sizes:
            messages, rate = PLAN.get(size, (100, 10.0))
            r = asyncio.run(run_size(servers, users[:size], rooms[size], messages, rate))
            print(
                f"| {r['members']} | {r['messages']} @ {r['rate']:g}/s | {r['p50_ms']:.1f} ms "
                f"| {r['p99_ms']:.1f} ms | {r['msgs_per_s']:.1f} | {r['deliveries']} "
                f"| {r['lost']} | {r['duplicated']} | {r['server_us']:.0f} µs "
                f"| {r['client_us']:.0f} µs | {os.getloadavg()[0]:.1f} |",
                flush=True,
            )
        if args.storm:
            r = asyncio.run(storm(servers, users[: args.storm]))
            print(
                f"storm: {r['sockets']} sockets connecting at once, all greeted in "
                f"{r['total_s']:.2f} s; connect→hello p50 {r['p50_ms']:.0f} ms, "
                f"p99 {r['p99_ms']:.0f} ms; server CPU {r['server_ms']:.1f} ms per socket; "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    finally:
        pool.stop_all()
        connection.close()
        admin_sql(original_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
