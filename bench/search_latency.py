"""Save-to-searchable latency with a real worker, as under `make run`.

    .venv/bin/python bench/search_latency.py [--saves N]

Throw-away data directory (SQLite) unless DATABASE_URL names a scratch database. Starts
`manage.py run_worker` (default poll interval, as `make run` does), then:

* N single saves, one at a time at random moments: time from commit until this process's
  searcher (the same code a Daphne process runs) finds the new person;
* 100 saves from 100 threads at once: time until all 100 are searchable.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="sahakar-search-latency-")
    os.environ["SAHAKAR_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from collab.core.models import WorkerHeartbeat
    from collab.directory.models import Person
    from collab.search.services import backend

    call_command("migrate", verbosity=0, skip_checks=True)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not WorkerHeartbeat.objects.exists():
            time.sleep(0.2)
        be = backend()

        def searchable(name: str) -> bool:
            found = be.search(name, end_offset=1)
            return bool(found.get("hits"))

        def wait_for(check, timeout=60.0) -> float:
            started = time.perf_counter()
            while not check():
                if time.perf_counter() - started > timeout:
                    raise TimeoutError("not searchable within 60 s")
                time.sleep(0.02)
            return time.perf_counter() - started

        latencies = []
        for i in range(args.saves):
            time.sleep(random.uniform(0, 1))
            name = f"Latency{i}x"
            Person.objects.create(employee_id=f"L{i}", family_name_en="Bench", given_name_en=name)
            latencies.append(wait_for(lambda n=name: searchable(n)))
        print(
            f"single saves ({args.saves}): p50 {statistics.median(latencies):.2f} s, "
            f"p95 {sorted(latencies)[int(0.95 * (len(latencies) - 1))]:.2f} s, "
            f"max {max(latencies):.2f} s"
        )

        barrier = threading.Barrier(100)

        def save(i: int) -> None:
            barrier.wait()
            Person.objects.create(
                employee_id=f"C{i}", family_name_en="Crowd", given_name_en=f"Crowd{i}y"
            )
            connection.close()

        threads = [threading.Thread(target=save, args=(i,)) for i in range(100)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        saved = time.perf_counter() - started

        def all_there() -> bool:
            found = be.search("crowd", end_offset=1)
            return found.get("hits", 0) == 100

        waited = wait_for(all_there)
        print(
            f"100 concurrent saves: committed in {saved:.2f} s, all searchable "
            f"{waited:.2f} s later (no LockError: the worker is the only writer)"
        )
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        worker.terminate()
        worker.wait(timeout=15)


if __name__ == "__main__":
    main()
