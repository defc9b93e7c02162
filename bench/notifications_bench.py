"""Benchmark of notifications: event → in-app delivery, outbox throughput, escalation delay.

Runs a real Daphne and the real worker (``manage.py run_worker``) against a scratch
database, with a real SMTP server (aiosmtpd) in this process, and prints figures:

* event → in-app: a lab system POSTs a lab result (Bearer token) to Daphne; time until the
  ordering doctor's websocket receives "notification.new" (p50/p95);
* outbox: notifications emitted here at a steady rate (default 50/s, each in its own
  transaction, one email each); the worker sends them over SMTP: achieved emit rate,
  delivery rate, and created → sent lag p50/p95;
* escalation: notifications whose first step is due a few seconds ahead; delay between
  the step's due time and the worker firing it (p50/p95/max).

    python bench/notifications_bench.py                 # embedded: SQLite, in-memory layer
    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/notifications_bench.py
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def scratch_database_url(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_bench_notifications"
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
    return f"{percentile(values, p) * 1000:.0f} ms"


async def bench_in_app(server, doctor, token: str, samples: int) -> list[float]:
    import http.client
    import json

    from tests.support.live import ws_connect

    def post(n: int) -> int:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
        body = json.dumps({"health_id": "KH-BENCH", "ordering_doctor": doctor.employee_id,
                           "test_code": "HB", "test_name": "Haemoglobin", "value": str(n),
                           "external_id": f"bench-{uuid.uuid4().hex}"})
        conn.request("POST", "/api/v1/health/lab-results", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Host": f"{server.host}:{server.port}"})
        status = conn.getresponse().status
        conn.close()
        return status

    ws = await ws_connect(server, doctor.user)
    await ws.recv_until("hello")
    latencies = []
    for n in range(samples):
        started = time.perf_counter()
        status_task = asyncio.get_running_loop().run_in_executor(None, post, n)
        frame = await ws.recv_until("notification.new", timeout=30)
        latencies.append(time.perf_counter() - started)
        assert await status_task == 201
        assert frame["event_type"] == "lab_result.ready"
    await ws.close()
    return latencies


def bench_outbox(people, rate: float, seconds: float, threads: int = 4):
    """Emit at ``rate``/s from ``threads`` emitters (web processes emit in parallel)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections, transaction

    from collab.notifications.models import Delivery
    from collab.notifications.services import emit

    count = int(rate * seconds)
    started = time.perf_counter()

    def emitter(first: int) -> None:
        try:
            for n in range(first, count, threads):
                pause = started + n / rate - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                with transaction.atomic():
                    emit(event_type="bench.outbox", event_key=f"outbox:{n}",
                         people=[people[n % len(people)]],
                         message={"en": "Bench", "km": "Bench"}, url="/bench/")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(emitter, range(threads)))
    emitted_in = time.perf_counter() - started
    emails = Delivery.objects.filter(channel="email", notification__event_type="bench.outbox")
    deadline = time.perf_counter() + 300
    while emails.exclude(status="sent").exists() and time.perf_counter() < deadline:
        time.sleep(0.2)
    drained_in = time.perf_counter() - started
    lags = [
        (d.sent_at - d.notification.created_at).total_seconds()
        for d in emails.select_related("notification")
        if d.sent_at
    ]
    return count, emitted_in, drained_in, lags, emails.filter(status="sent").count()


def bench_backlog(people, count: int) -> tuple[int, float]:
    """The worker's own capacity: ``count`` emails made due at the same instant."""
    from django.db import transaction

    from collab.core.clock import now
    from collab.notifications.models import Delivery
    from collab.notifications.services import emit

    later = now() + timedelta(days=1)
    for n in range(count):
        with transaction.atomic():
            emit(event_type="bench.backlog", event_key=f"backlog:{n}",
                 people=[people[n % len(people)]], message={"en": "B", "km": "B"}, url="/b/")
            Delivery.objects.filter(notification__event_key=f"backlog:{n}",
                                    channel="email").update(next_attempt_at=later)
    emails = Delivery.objects.filter(channel="email", notification__event_type="bench.backlog")
    started = time.perf_counter()
    emails.update(next_attempt_at=now())
    while emails.exclude(status="sent").exists() and time.perf_counter() - started < 300:
        time.sleep(0.1)
    return emails.filter(status="sent").count(), time.perf_counter() - started


def bench_escalation(org, count: int, ahead: float) -> list[float]:
    from django.db import transaction

    from collab.core.clock import now
    from collab.notifications.models import Notification
    from collab.notifications.services import emit

    ids = []
    for n in range(count):
        with transaction.atomic():
            [notification] = emit(
                event_type="referral.created", event_key=f"esc:{n}", org_unit=org.hospital,
                message={"en": "Bench", "km": "Bench"}, url="/bench/",
            )
            # Bring step 1 forward: due a little ahead, spread over a few seconds.
            Notification.objects.filter(pk=notification.pk).update(
                next_escalation_at=now() + timedelta(seconds=ahead + (n % 10) * 0.5)
            )
            ids.append(notification.pk)
    deadline = time.perf_counter() + ahead + 60
    while time.perf_counter() < deadline:
        fired = Notification.objects.filter(pk__in=ids).exclude(escalation_log=[]).count()
        if fired == count:
            break
        time.sleep(0.2)
    delays = []
    for notification in Notification.objects.filter(pk__in=ids):
        for entry in notification.escalation_log[:1]:
            due = datetime.fromisoformat(entry["due_at"])
            fired = datetime.fromisoformat(entry["fired_at"])
            delays.append((fired - due).total_seconds())
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--escalations", type=int, default=50)
    parser.add_argument("--backlog", type=int, default=500)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="sahakar-bench-notifications-"))
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
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db import connection

    from collab.accounts.services import create_token
    from collab.health.models import Patient
    from tests.notifications.factories import build_org, person, referral_rule
    from tests.notifications.smtp import SMTPServer
    from tests.support.live import LivePool

    print(f"database: {connection.vendor}; channel layer: "
          f"{'redis' if os.environ.get('REDIS_URL') else 'in-memory'}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f}s")
    org = build_org()
    referral_rule()
    Patient.objects.create(health_id="KH-BENCH", family_name_latin="B", given_name_latin="B")
    lab = person("lab").user
    lab.user_permissions.add(Permission.objects.get(codename="add_labresult"))
    token = create_token(user=lab, name="bench")
    people = [person(f"bench{i}") for i in range(20)]
    connection.close()

    pool = LivePool(data_dir=data_dir, env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    with SMTPServer() as smtp:
        worker_env = {**pool.env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port)}
        try:
            [server] = pool.start(count=1)
            worker = subprocess.Popen(
                [sys.executable, "-m", "tests.support.live_manage", "run_worker",
                 "--interval", "0.2"],
                env=worker_env, cwd=ROOT, stdout=(data_dir / "worker.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            pool.workers.append(worker)

            # The lab result's ordering doctor: the test directory's on-call paediatrician.
            doctor = org.people["oncall"]
            latencies = asyncio.run(bench_in_app(server, doctor, token, args.samples))
            print(f"event → in-app (POST lab result → notification.new on the doctor's "
                  f"socket): p50 {ms(latencies, 50)}, p95 {ms(latencies, 95)}, "
                  f"max {ms(latencies, 100)} ({args.samples} events)")

            count, emitted_in, drained_in, lags, sent = bench_outbox(
                people, args.rate, args.seconds
            )
            print(f"outbox: {count} notifications emitted in {emitted_in:.1f}s "
                  f"({count / emitted_in:.1f}/s, 4 emitting threads); {sent} emails sent "
                  f"over SMTP, all done "
                  f"{drained_in:.1f}s after the first ({sent / drained_in:.1f}/s); "
                  f"created → sent lag p50 {statistics.median(lags):.2f}s, "
                  f"p95 {percentile(lags, 95):.2f}s, max {max(lags):.2f}s")

            sent, took = bench_backlog(people, args.backlog)
            print(f"worker capacity: a backlog of {args.backlog} emails sent in {took:.1f}s "
                  f"({sent / took:.1f}/s, one worker)")

            delays = bench_escalation(org, args.escalations, ahead=3.0)
            print(f"escalation: {len(delays)} of {args.escalations} fired; due → fired "
                  f"p50 {statistics.median(delays):.2f}s, p95 {percentile(delays, 95):.2f}s, "
                  f"max {max(delays):.2f}s")
            print(f"SMTP messages received: {len(smtp.mailbox.messages)}")
        finally:
            pool.stop_all()
            if original_url:
                from django.db import connections

                connections.close_all()
                admin_sql(original_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
