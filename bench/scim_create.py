"""Benchmark SCIM provisioning: POST /scim/v2/Users for N new people (default 10,000), or
with ``--bulk K`` POST /scim/v2/Bulk carrying K creates per request (RFC 7644 3.7).

    .venv/bin/python bench/scim_create.py [--users N] [--bulk K]
    DATABASE_URL=postgres://.../scratch_db .venv/bin/python bench/scim_create.py

Uses a throw-away data directory (SQLite) or the given DATABASE_URL (a scratch database:
the bench migrates and fills it). Requests go through Django's full stack in this process
(middleware, Bearer-token check, SCIM parsing, directory writes, audit row, search queue)
with Django's test client: no network between. Prints total wall time, requests per
second and the per-request p50/p95/p99 in milliseconds. Target: 10,000 in <= 60 s.
Afterwards it checks that every person exists with their post and SCIM record.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--bulk", type=int, default=0, help="creates per Bulk request")
    args = parser.parse_args()

    os.environ["SAHAKAR_DATA_DIR"] = tempfile.mkdtemp(prefix="sahakar-bench-scim-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from collab.accounts.services import create_token
    from collab.directory.models import OrgUnit, Person
    from collab.identity import scim
    from collab.identity.scim_bulk import BULK_REQUEST as BULK

    call_command("migrate", verbosity=0)
    OrgUnit.objects.get_or_create(code="BENCH-HC", defaults={
        "kind": "health_centre", "name_km": "មណ្ឌលសុខភាព", "name_en": "Bench health centre"})
    robot, _ = get_user_model().objects.get_or_create(username="bench-idp")
    robot.user_permissions.add(Permission.objects.get(codename="provision_people"))
    token = create_token(user=robot, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    run = int(time.time())

    def user(i: int) -> dict:
        return {
            "schemas": [scim.USER, scim.SAHAKAR], "userName": f"B{run}-{i:06d}",
            "externalId": f"idp-{run}-{i}", "name": {"familyName": "Sok", "givenName": f"D{i}"},
            "emails": [{"value": f"p{i}@bench.example", "type": "work", "primary": True}],
            "title": "Nurse",
            scim.SAHAKAR: {"familyNameKm": "សុខ", "givenNameKm": "តារា",
                           "orgUnitCode": "BENCH-HC"},
        }  # fmt: skip

    def bulk(first: int) -> str:
        return json.dumps({"schemas": [BULK], "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": str(i), "data": user(i)}
            for i in range(first, min(first + args.bulk, args.users))]})  # fmt: skip

    if args.bulk:
        requests = [("/scim/v2/Bulk", bulk(i)) for i in range(0, args.users, args.bulk)]
    else:
        requests = [("/scim/v2/Users", json.dumps(user(i))) for i in range(args.users)]

    times = []
    started = time.perf_counter()
    for i, (path, body) in enumerate(requests):
        t0 = time.perf_counter()
        response = client.post(path, body, content_type="application/scim+json")
        times.append((time.perf_counter() - t0) * 1000)
        if response.status_code not in (200, 201) or b'"status": "4' in response.content:
            raise SystemExit(f"request {i}: {response.status_code} {response.content[:300]!r}")
    total = time.perf_counter() - started
    made = Person.objects.filter(employee_id__startswith=f"B{run}-", positions__unit__code=
                                 "BENCH-HC", scim_record__isnull=False).distinct().count()
    if made != args.users:
        raise SystemExit(f"{made} of {args.users} people were provisioned")
    q = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
    mode = f"Bulk of {args.bulk}" if args.bulk else "one per request"
    print(f"{connection.vendor}: {args.users:,} SCIM creates ({mode}) in {total:.1f} s "
          f"({args.users / total:.0f}/s); per request p50 {q[49]:.1f} ms, "
          f"p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
