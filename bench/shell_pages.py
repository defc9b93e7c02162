"""The shell's weight and cost on a slow mobile link: bytes per page, queries, render time.

    .venv/bin/python bench/shell_pages.py [--requests N]

Uses a throw-away data directory (migrates it first, which takes a minute). Prints, for the
home page and the login page in English and Khmer: HTML bytes (raw and gzip), the queries
one request makes, and server render time (p50/p95 over N requests, test client, no
network); then the static weight of the shell (CSS, JS, Khmer font) raw and gzip, and what a
first visit downloads in total. A Khmer page also fetches the Khmer font; an English page
does not (unicode-range), unless it shows Khmer text.
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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("compilemessages", "-l", "km", "--ignore=.venv", "--ignore=var", verbosity=0)


def measure(client, path: str, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        body = client.get(path).content
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "bytes": len(body),
        "gzip": len(gzip.compress(body)),
        "queries": len(queries),
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
    }


def static_weight() -> dict[str, tuple[int, int]]:
    from django.contrib.staticfiles import finders

    names = {
        "shell.css": "sahakar/css/shell.css",
        "shell.js": "sahakar/js/shell.js",
        "stream.js": "realtime/stream.js",
        "Khmer font (regular)": "sahakar/fonts/NotoSansKhmer-Regular.woff2",
        "Khmer font (bold)": "sahakar/fonts/NotoSansKhmer-Bold.woff2",
    }
    weights = {}
    for label, name in names.items():
        path = finders.find(name)
        if path:
            data = Path(path).read_bytes()
            # woff2 is already compressed: servers do not gzip it
            compressed = len(data) if name.endswith(".woff2") else len(gzip.compress(data))
            weights[label] = (len(data), compressed)
    return weights


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sahakar-bench-") as data_dir:
        setup(data_dir)
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client

        from collab.accounts.services import set_language

        user = get_user_model().objects.create_user("bench", password="bench-Pass-42")
        print(f"{'page':<22}{'HTML B':>8}{'gzip B':>8}{'queries':>8}{'p50 ms':>8}{'p95 ms':>8}")
        for language in ["en", "km"]:
            set_language(user=user, language=language)
            anonymous = Client()
            anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            member = Client()
            member.force_login(user)
            for label, client, path in [
                ("login", anonymous, "/accounts/login/"),
                ("home", member, "/"),
                ("profile", member, "/accounts/profile/"),
            ]:
                m = measure(client, path, args.requests)
                print(
                    f"{label + ' (' + language + ')':<22}{m['bytes']:>8}{m['gzip']:>8}"
                    f"{m['queries']:>8}{m['p50']:>8.1f}{m['p95']:>8.1f}"
                )
        print()
        weights = static_weight()
        print(f"{'static file':<22}{'bytes':>8}{'on wire':>8}")
        for label, (raw, wire) in weights.items():
            print(f"{label:<22}{raw:>8}{wire:>8}")
        latin = sum(w for label, (_, w) in weights.items() if "font" not in label)
        print(f"\nfirst visit, static on the wire: English {latin} B, "
              f"Khmer {latin + weights['Khmer font (regular)'][1]} B (+ bold if bold text)")


if __name__ == "__main__":
    main()
