"""`manage.py serve` (what `make run` ends with): Daphne and the worker, Ctrl-C stops both."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.live


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthz(port: int) -> tuple[int, dict] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)
    except OSError:
        return None


def test_serve_answers_healthy_and_ctrl_c_stops_daphne_and_worker(
    live_pool, transactional_db, tmp_path
):
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=live_pool.env,
        cwd=live_pool.cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        answer = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and serve.poll() is None:
            answer = healthz(port)
            if answer and answer[0] == 200:
                break
            time.sleep(0.5)
        assert answer and answer[0] == 200, (answer, (tmp_path / "serve.log").read_text())
        assert answer[1]["checks"]["task_worker"]["ok"] is True

        os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        assert serve.wait(timeout=30) == 0, (tmp_path / "serve.log").read_text()
        with pytest.raises(ProcessLookupError):  # neither Daphne nor the worker is left
            os.killpg(serve.pid, 0)
        assert healthz(port) is None
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
