"""Benchmark single sign-on: server time from "Sign in with …" to the first page.

    .venv/bin/python bench/sso_signin.py [--sign-ins N] [--people P]

Starts the real OpenID provider of the tests (tests/support/oidc_provider, Node) on
loopback and a throw-away SQLite data dir (or DATABASE_URL, a scratch database). Each
sign-in is: GET /identity/oidc/login/ → the person signs in at the provider (not counted:
that is the provider's page) → GET /identity/oidc/callback/ (state check, code redeemed at
the provider's token endpoint over loopback, ID token checked, person linked, session) →
GET / (the first page). Counted: the time Sahakar spends on its three requests (Django's
test client in this process, no browser). Prints p50/p95/max for first sign-ins (the login
is created and linked) and later ones. Target: p95 <= 300 ms. One untimed sign-in of an
extra person warms the process first (imports, templates, the provider's discovery document
and keys), as on a server that has been up for a while.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sign-ins", type=int, default=100)
    parser.add_argument("--people", type=int, default=25)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="sahakar-bench-sso-"))
    os.environ["SAHAKAR_DATA_DIR"] = str(scratch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from collab.directory.models import Person
    from collab.identity import oidc
    from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, start_provider

    call_command("migrate", verbosity=0)
    provider = start_provider(scratch, ["http://testserver"])
    settings.SAHAKAR_OIDC_ISSUER = provider.issuer
    settings.SAHAKAR_OIDC_CLIENT_ID = CLIENT_ID
    settings.SAHAKAR_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.SAHAKAR_OIDC_SCOPES = "openid email profile employee"
    oidc._clients.clear()
    for i in range(args.people):
        Person.objects.get_or_create(employee_id=f"S{i:05d}", defaults={
            "family_name_en": "Sok", "given_name_en": f"D{i}", "languages": "km"})
        provider.add_account(f"p{i}", sub=f"sub-{i}", claims={"employee_id": f"S{i:05d}"})

    Person.objects.get_or_create(employee_id="WARM", defaults={
        "family_name_en": "Sok", "given_name_en": "Warm", "languages": "km"})  # fmt: skip
    provider.add_account("warm", sub="sub-warm", claims={"employee_id": "WARM"})

    def sign_in(client, account: str) -> tuple:
        t0 = time.perf_counter()
        start = client.get("/identity/oidc/login/")
        spent = time.perf_counter() - t0
        back = provider.browser().sign_in(start["Location"], account)
        t0 = time.perf_counter()
        landed = client.get(back[len("http://testserver"):])
        page = client.get(landed["Location"])
        return spent + time.perf_counter() - t0, landed, page

    first, later = [], []
    try:
        sign_in(Client(), "warm")
        for n in range(args.sign_ins):
            i = n % args.people
            client = Client()
            spent, landed, page = sign_in(client, f"p{i}")
            if landed.status_code != 302 or page.status_code != 200:
                raise SystemExit(f"sign-in {n}: {landed.status_code} then {page.status_code}")
            (first if n < args.people else later).append(spent * 1000)
    finally:
        provider.stop()

    def summary(label: str, values: list[float]) -> str:
        if len(values) < 2:
            return f"{label}: n={len(values)}"
        q = statistics.quantiles(values, n=100)
        return (f"{label} (n={len(values)}): p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, "
                f"max {max(values):.0f} ms")  # fmt: skip

    print(f"{connection.vendor}; {summary('first sign-ins', first)}; "
          f"{summary('later sign-ins', later)}; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
