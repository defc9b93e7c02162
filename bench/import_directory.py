"""Benchmark import_directory on a generated HR file (default 300,000 rows).

    .venv/bin/python bench/import_directory.py [--rows N]                  # SQLite, scratch dir
    DATABASE_URL=postgres://.../scratch_db .venv/bin/python bench/import_directory.py

Uses a throw-away data directory (SQLite) or the given DATABASE_URL (use a scratch
database: the bench migrates it and fills it). Prints wall time and peak memory of: a
first import (all rows new), a re-import of the same file, a re-import with 5 % of rows
changed (1 % moved to another unit), and a --dry-run of the first file again; then the
name search over the imported people: the people picker (``pick_people``, 10) and the search
page (count + first page of 25), p50 and p95 over ``--repeat`` runs of each query.
``--searches-only`` keeps the people already imported (use it with ``--data-dir`` for
SQLite) and times the searches alone.
"""

import argparse
import io
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--data-dir", help="keep the SQLite data here (default: a temp dir)")
    parser.add_argument("--searches-only", action="store_true")
    args = parser.parse_args()

    scratch = args.data_dir or tempfile.mkdtemp(prefix="sahakar-bench-directory-")
    os.environ["SAHAKAR_DATA_DIR"] = scratch
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import gen_directory_csv
    from django.core.management import call_command
    from django.db import connection

    from collab.directory import demo
    from collab.directory.models import OrgUnit, Person, Position
    call_command("migrate", verbosity=0)
    if args.searches_only:
        print(f"{connection.vendor}, {Person.objects.count():,} people already imported")
        time_searches(args.repeat)
        return
    demo.seed_units()
    units = list(OrgUnit.objects.values_list("code", flat=True))
    base = Path(scratch) / "people.csv"
    changed = Path(scratch) / "people-changed.csv"
    gen_directory_csv.write(str(base), args.rows, units)
    gen_directory_csv.write(str(changed), args.rows, units, changed=5.0)
    print(f"{connection.vendor}, {args.rows:,} rows, {len(units)} units, "
          f"file {base.stat().st_size / 1e6:.1f} MB")  # fmt: skip

    def timed(label: str, path: Path, *flags: str) -> None:
        out = io.StringIO()
        started = time.perf_counter()
        call_command("import_directory", str(path), *flags, stdout=out, stderr=io.StringIO())
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{label:<28} {elapsed:7.1f} s  {args.rows / elapsed:9,.0f} rows/s  "
              f"peak RSS {peak:5.0f} MB")  # fmt: skip
        print("    " + out.getvalue().strip().splitlines()[0])

    timed("first import", base)
    timed("re-import, unchanged", base)
    timed("re-import, 5% changed", changed)
    timed("dry run of the first file", base, "--dry-run")
    print(f"people {Person.objects.count():,}, positions {Position.objects.count():,}")
    time_searches(args.repeat)
    connection.close()
    if not args.data_dir:
        shutil.rmtree(scratch, ignore_errors=True)


QUERIES = [
    "ដារា",  # a Khmer given name (one in 16 people)
    "សុខ ដារា",  # a Khmer full name
    "សុខដារា",  # the same typed without a space
    "ខដា",  # a part across the family/given boundary
    "សុ",  # a short Khmer prefix (a keystroke)
    "sok dara",  # a Latin full name
    "so",  # a short Latin prefix: a third of everyone
    "phea",  # a Latin part
    "b0123",  # a part of an employee id
]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[max(0, int(len(ordered) * 0.95) - 1)]


def time_searches(repeat: int) -> None:
    from collab.directory.models import Person
    from collab.directory.selectors import pick_people, search_people

    email = Person.objects.order_by("pk").values_list("email", flat=True)[123]
    print(f"{'query':<26}{'hits':>9}  picker p50/p95 ms  page p50/p95 ms")
    for q in [*QUERIES, email]:
        picker, page = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            pick_people(q, limit=10)
            picker.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            hits = search_people(q)
            count, first_page = hits.count(), list(hits[:25])
            page.append((time.perf_counter() - started) * 1000)
        assert len(first_page) == min(count, 25)
        (p50, p95), (g50, g95) = percentiles(picker), percentiles(page)
        print(f"{q!r:<26}{count:>9,}  {p50:7.1f} / {p95:7.1f}   {g50:7.1f} / {g95:7.1f}")


if __name__ == "__main__":
    main()
