"""The real worker process (``manage.py run_worker``) for notification tests."""

import subprocess
import sys
import time
import uuid

BASE_URL = "http://sahakar.test"


def start_worker(pool, *, smtp_port: int) -> subprocess.Popen:
    """Like ``live_servers(with_worker=True)``, plus our SMTP server in its environment."""
    log_path = pool.data_dir / f"notifications-worker-{uuid.uuid4().hex[:8]}.log"
    env = {**pool.env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port),
           "SAHAKAR_BASE_URL": BASE_URL}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.live_manage", "run_worker", "--interval", "0.2"],
        env=env, cwd=pool.cwd, stdout=log_path.open("wb"), stderr=subprocess.STDOUT,
    )
    process.log_path = log_path
    pool.workers.append(process)  # stopped after the test whatever happens
    return process


def wait_until(predicate, *, timeout: float = 30.0, worker=None, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker is not None and worker.poll() is not None:
            raise RuntimeError(f"worker exited:\n{worker.log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    log = worker.log_path.read_text()[-3000:] if worker is not None else ""
    raise TimeoutError(f"{what} not reached within {timeout}s\n{log}")
