"""Benchmark of workflow inboxes with 100,000 requests in a scratch database.

* inbox page (``/workflows/``), inbox API (``/api/v1/workflows/inbox``) and "My unit's
  requests" (``/workflows/unit/``) of a health-centre head, over HTTP against a real
  Daphne: p50/p95, and the number of queries each takes (the same at any size);
* start → first approver's socket: a nurse POSTs a leave request (Bearer token); time until
  the centre head's websocket receives ``workflow.step_opened`` (p50/p95).

The requests are copies of real ones (started through ``services.start_request``) spread
over ``--centres`` health centres, a third of them still waiting.

    python bench/workflows_inbox.py                    # embedded: SQLite, in-memory layer
    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/workflows_inbox.py
"""

import argparse
import asyncio
import http.client
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LEAVE = {"leave_type": "annual", "first_day": "2026-12-20", "days": 2, "reason": "Family"}


def scratch_database_url(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_bench_workflows"
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


def ms(values: list[float], p: float) -> str:
    return f"{percentile(values, p) * 1000:.1f} ms"


def build_directory(centres: int):
    """A district with ``centres`` health centres, each with a head and 5 nurses."""
    from collab.directory.models import OrgUnit
    from tests.notifications.factories import person, position

    moh = OrgUnit.objects.create(code="MOH", kind="ministry", name_en="Ministry",
                                 name_km="ក្រសួង")
    od = OrgUnit.objects.create(code="OD", kind="od", name_en="District", name_km="ស្រុក",
                                parent=moh)
    position(od, person("odhead"), "unit-head approver", "OD director")
    units = []
    for c in range(centres):
        unit = OrgUnit.objects.create(code=f"HC{c}", kind="health_centre",
                                      name_en=f"Health Centre {c}", name_km=f"មណ្ឌល {c}",
                                      parent=od)
        head = person(f"head{c}")
        position(unit, head, "unit-head", "Chief")
        nurses = [person(f"nurse{c}-{n}") for n in range(5)]
        for nurse in nurses:
            position(unit, nurse, "nurse", "Nurse")
        units.append((unit, head, nurses))
    return units


def fill(units, total: int) -> None:
    """``total`` requests: copies of one real request per centre, a third still waiting."""
    from django.db import transaction

    from collab.core.clock import now
    from collab.workflows import services
    from collab.workflows.models import Definition, Entry, Request, Step

    leave = Definition.objects.get(key="leave-request")
    per_centre = total // len(units)
    through = Step.assignees.through
    at = now() - timedelta(days=30)
    for c, (unit, head, nurses) in enumerate(units):
        model = services.start_request(person=nurses[0], definition=leave, data=LEAVE)
        step = model.steps.get()
        with transaction.atomic():
            requests = Request.objects.bulk_create([
                Request(version=model.version, requester=nurses[n % 5], unit=unit,
                        data=model.data, status=Request.Status.RUNNING if n % 3 == 0
                        else Request.Status.APPROVED, engine_state=model.engine_state,
                        created_at=at + timedelta(seconds=n), updated_at=at)
                for n in range(per_centre - 1)], batch_size=2000)
            steps = Step.objects.bulk_create([
                Step(request=r, task_id=uuid.uuid4(), task_name=step.task_name,
                     title_en=step.title_en, title_km=step.title_km, role=step.role,
                     unit=unit, opened_at=r.created_at, due_at=r.created_at + timedelta(
                         hours=72),
                     status=Step.Status.OPEN if r.status == Request.Status.RUNNING
                     else Step.Status.APPROVED,
                     decided_at=None if r.status == Request.Status.RUNNING
                     else r.created_at + timedelta(hours=5),
                     decided_by=None if r.status == Request.Status.RUNNING else head)
                for r in requests], batch_size=2000)
            through.objects.bulk_create(
                [through(step_id=s.pk, person_id=head.pk) for s in steps], batch_size=5000)
            Entry.objects.bulk_create([
                Entry(request=r, kind=Entry.Kind.SUBMITTED, person=r.requester,
                      at=r.created_at) for r in requests], batch_size=2000)
        if c % 20 == 0:
            print(f"  {(c + 1) * per_centre} requests", flush=True)


def queries(user, url: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def timed_gets(server, cookie: str, url: str, samples: int) -> list[float]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    headers = {"Cookie": cookie, "Host": f"{server.host}:{server.port}"}
    times = []
    for n in range(samples + 5):
        started = time.perf_counter()
        conn.request("GET", url, headers=headers)
        response = conn.getresponse()
        response.read()
        if n >= 5:  # warm-up
            times.append(time.perf_counter() - started)
        assert response.status == 200, (url, response.status)
    conn.close()
    return times


async def start_to_socket(server, head, token: str, samples: int) -> list[float]:
    from tests.support.live import ws_connect

    def post() -> int:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
        conn.request("POST", "/api/v1/workflows/requests",
                     body=json.dumps({"definition": "leave-request", "data": LEAVE}),
                     headers={"Authorization": f"Bearer {token}",
                              "Content-Type": "application/json",
                              "Host": f"{server.host}:{server.port}"})
        status = conn.getresponse().status
        conn.close()
        return status

    ws = await ws_connect(server, head.user)
    await ws.recv_until("hello")
    latencies = []
    for _ in range(samples):
        started = time.perf_counter()
        status = asyncio.get_running_loop().run_in_executor(None, post)
        await ws.recv_until("workflow.step_opened", timeout=30)
        latencies.append(time.perf_counter() - started)
        assert await status == 201
    await ws.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--centres", type=int, default=200)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--starts", type=int, default=100)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="sahakar-bench-workflows-"))
    prefix = f"sahakar-bench-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "SAHAKAR_DATA_DIR": str(data_dir), "SAHAKAR_LIVE_CHANNEL_PREFIX": prefix}
    original_url = os.environ.get("DATABASE_URL", "")
    if original_url:
        env["DATABASE_URL"], db_name = scratch_database_url(original_url)
        admin_sql(original_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        admin_sql(original_url, f'CREATE DATABASE "{db_name}"')
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    from tests.support.live_env import configure

    configure()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from collab.accounts.services import create_token
    from collab.workflows import builtin
    from collab.workflows.models import Request, Step
    from tests.support.live import LivePool, login_cookie

    settings.ALLOWED_HOSTS = ["*"]  # the in-process test client (query counts)
    print(f"database: {connection.vendor}; channel layer: "
          f"{'redis' if os.environ.get('REDIS_URL') else 'in-memory'}; "
          f"load average: {os.getloadavg()[0]:.2f}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    builtin.install()
    units = build_directory(args.centres)
    fill(units, args.requests)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"setup: {time.perf_counter() - started:.0f}s; {Request.objects.count()} requests, "
          f"{Step.objects.filter(status='open').count()} steps waiting")
    _unit, head, nurses = units[0]
    waiting = Step.objects.filter(status="open", assignees=head).count()
    token = create_token(user=nurses[1].user, name="bench")
    counts = {url: queries(head.user, url) for url in
              ("/workflows/", "/api/v1/workflows/inbox", "/workflows/unit/")}
    cookie = login_cookie(head.user)
    connection.close()

    pool = LivePool(data_dir=data_dir, env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    try:
        [server] = pool.start(count=1)
        print(f"the head of HC0 has {waiting} steps waiting (the pages show 200)")
        for url, count in counts.items():
            times = timed_gets(server, cookie, url, args.samples)
            print(f"GET {url}: p50 {ms(times, 50)}, p95 {ms(times, 95)}, "
                  f"max {ms(times, 100)} ({args.samples} requests, {count} queries)")
        latencies = asyncio.run(start_to_socket(server, head, token, args.starts))
        print(f"start → first approver's socket (POST a leave request → workflow.step_opened "
              f"on the head's socket): p50 {ms(latencies, 50)}, p95 {ms(latencies, 95)}, "
              f"max {ms(latencies, 100)} ({args.starts} requests)")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        pool.stop_all()
        if original_url:
            from django.db import connections

            connections.close_all()
            admin_sql(original_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
