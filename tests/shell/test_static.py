"""Static files through the real ASGI path (Daphne): hashed names, Brotli/gzip, immutable
caching a year long, in both settings modes; the favicon."""

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.live import LiveServer, _stop, _wait_until_serving

pytestmark = pytest.mark.live

YEAR = 365 * 24 * 3600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def collected() -> Path:
    """``STATIC_ROOT`` as ``make setup`` leaves it (collected here when it is not yet)."""
    root = Path(settings.STATIC_ROOT)
    if not (root / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=settings.BASE_DIR,
            check=True,
        )
    return root


def daphne(tmp_path: Path, collected: Path, extra_env: dict[str, str]) -> LiveServer:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "static").symlink_to(collected)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SAHAKAR_ENV", "DEBUG"}
    }
    env.update(SAHAKAR_DATA_DIR=str(data_dir), **extra_env)
    if "DATABASE_URL" in extra_env:  # never opened: static files need no database
        env["DATABASE_URL"] = f"sqlite:///{data_dir}/unused.sqlite3"
    port = free_port()
    log_path = tmp_path / "daphne.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "collab.asgi:application"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = LiveServer("127.0.0.1", port, process, log_path)
    _wait_until_serving(server)
    return server


MODES = {
    "development": {},
    "production": {
        "SAHAKAR_ENV": "production",
        "SECRET_KEY": "static-test-" + "k3y-Z" * 12,
        "DATABASE_URL": "sqlite:///unused.sqlite3",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
    },
}


@pytest.mark.parametrize("mode", MODES)
def test_hashed_compressed_immutable_under_daphne(mode, tmp_path, collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    server = daphne(tmp_path, collected, MODES[mode])
    try:
        status, _, body = server.get("/accounts/login/")
        assert status == 200, server.log()
        css = manifest["sahakar/css/shell.css"]
        assert f'href="/static/{css}"' in body.decode(), "the page names the hashed file"
        assert re.fullmatch(r"sahakar/css/shell\.[0-9a-f]{12}\.css", css)

        chat_js = "/static/" + manifest["chat/chat.js"]
        raw = (collected / manifest["chat/chat.js"]).read_bytes()
        for encoding in ("br", "gzip"):
            status, headers, body = server.get(
                chat_js, headers={"Accept-Encoding": f"{encoding}, deflate"}
            )
            assert status == 200, server.log()
            assert headers["Content-Encoding"] == encoding
            assert len(body) < len(raw) / 3, (encoding, len(body), len(raw))
            cache_control = headers["Cache-Control"]
            assert "immutable" in cache_control and "public" in cache_control, cache_control
            assert int(re.search(r"max-age=(\d+)", cache_control)[1]) >= YEAR, cache_control
            assert "Accept-Encoding" in headers["Vary"]
        status, headers, body = server.get(chat_js)
        assert status == 200 and "Content-Encoding" not in headers and body == raw

        etag = headers["ETag"]
        status, _, body = server.get(chat_js, headers={"If-None-Match": etag})
        assert status == 304 and body == b""

        status, headers, body = server.get("/favicon.ico")
        assert status == 200 and headers["Content-Type"] == "image/x-icon"
        assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    finally:
        _stop(server.process)
