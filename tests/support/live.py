"""Live-server fixtures: real Daphne (and worker) subprocesses against the test database.

Use them from any test folder (the plugin is loaded by ``tests/conftest.py``)::

    import pytest
    from asgiref.sync import sync_to_async
    from tests.support.live import ws_connect

    pytestmark = [pytest.mark.live]

    async def test_hello(daphne_server, django_user_model):
        user = await sync_to_async(django_user_model.objects.create_user)("ana", password="x")
        ws = await ws_connect(daphne_server, user)
        hello = await ws.recv_json()
        assert hello["type"] == "hello"
        await ws.close()

Fixtures
--------
``daphne_server``
    A running Daphne (``python -m daphne ... collab.asgi:application``; see
    ``tests/support/live_asgi.py``) sharing the current test database. Requesting it
    makes the test transactional (``transactional_db``): rows you create are committed and
    visible to the server, and the database is flushed after the test. Servers live for
    the whole session (starting one costs seconds), so never rely on in-process state of a
    server between tests.
``live_servers(count=1, *, with_worker=False, preload=())``
    Factory returning ``count`` servers (two for the Redis leg: different processes that
    share the channel layer only when ``REDIS_URL`` is set). ``with_worker=True`` also runs
    ``manage.py run_worker`` against the same database until the end of the test.
    ``preload`` names test-only modules imported in the subprocesses after Django is set
    up (e.g. to register a stream provider or a frame handler); servers are cached per
    ``preload`` tuple.
``live_data_dir``
    The ``SAHAKAR_DATA_DIR`` of every server and worker. While ``daphne_server`` or
    ``live_servers`` is in use the test process's ``settings.DATA_DIR`` points there too,
    so ``collab.core.clock.set_offset()`` moves the clock of every process (it is reset
    after the test).

Helpers
-------
``login_cookie(user) -> str``
    Creates a real session row and returns the ``Cookie`` header value (sync; call it via
    ``sync_to_async`` from async tests).
``await ws_connect(server, user=None, *, token=None, origin=<server origin>, headers=None)``
    Opens ``/ws/`` with the ``websockets`` library; ``user`` logs in by session cookie,
    ``token`` sends ``Authorization: Bearer``; ``origin=None`` sends no Origin header.
    Returns a ``LiveSocket``: ``send_json``, ``send_text``, ``recv_json(timeout)``,
    ``recv_until(type, timeout)`` (frames skipped on the way are kept in ``.skipped``),
    ``wait_closed(timeout) -> close code``, ``close()``. A refused handshake raises
    ``websockets.exceptions.InvalidStatus``.
``server.get(path, *, cookie=None, headers=None) -> (status, headers, body)``
    A plain HTTP request to a server (``server.url``, ``server.ws_url``, ``server.origin``).

Isolation
---------
On SQLite the test database becomes a file in ``live_data_dir`` (named like the
server's database) whenever a collected test uses these fixtures. On PostgreSQL the
servers get ``DATABASE_URL`` naming the test database. With ``REDIS_URL`` every process of
one test session uses its own channel-layer prefix, so concurrent sessions on one Redis
never see each other's events.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from urllib.parse import quote

import pytest

LIVE_FIXTURES = ("live_pool", "daphne_server", "live_servers")
START_TIMEOUT = 60.0
CHANNEL_PREFIX = f"sahakar-test-{uuid.uuid4().hex[:10]}"
SQLITE_NAME = "sahakar.sqlite3"  # the file name collab.settings uses inside the data dir


# --------------------------------------------------------------------------- servers


@dataclass
class LiveServer:
    host: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def origin(self) -> str:
        return self.url

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws/"

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""

    def get(
        self, path: str, *, cookie: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            all_headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
            if cookie:
                all_headers["Cookie"] = cookie
            conn.request("GET", path, headers=all_headers)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()


@dataclass
class LivePool:
    """Session-wide set of running servers; workers are per test."""

    data_dir: Path
    env: dict[str, str]
    cwd: Path
    servers: dict[tuple, LiveServer] = field(default_factory=dict)
    workers: list[subprocess.Popen] = field(default_factory=list)

    def server(self, *, index: int = 0, preload: tuple[str, ...] = ()) -> LiveServer:
        return self.start(count=index + 1, preload=preload)[index]

    def start(self, *, count: int, preload: tuple[str, ...] = ()) -> list[LiveServer]:
        keys = [(tuple(preload), i) for i in range(count)]
        for key in keys:
            if key in self.servers and not self.servers[key].alive():
                raise RuntimeError(f"Live server {key} died:\n{self.servers[key].log()}")
        missing = [key for key in keys if key not in self.servers]
        started = [(key, self._spawn_daphne(key)) for key in missing]
        for key, server in started:
            _wait_until_serving(server)
            self.servers[key] = server
        return [self.servers[key] for key in keys]

    def start_worker(self, *, preload: tuple[str, ...] = ()) -> subprocess.Popen:
        log_path = self.data_dir / f"worker-{len(self.workers)}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.live_manage", "run_worker", "--interval", "0.2"],
            env={**self.env, "SAHAKAR_LIVE_PRELOAD": ",".join(preload)},
            cwd=self.cwd,
            stdout=log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.workers.append(process)
        return process

    def stop_workers(self) -> None:
        while self.workers:
            _stop(self.workers.pop())

    def reset_servers(self) -> None:
        """Each test starts with servers that remember nothing of earlier tests."""
        for key, server in self.servers.items():
            if not server.alive():
                raise RuntimeError(f"Live server {key} died:\n{server.log()}")
            status = server.get("/__live__/reset")[0]
            if status != 204:
                raise RuntimeError(f"Live server {key} refused the reset ({status})")

    def kill(self, server: LiveServer) -> None:
        """Crash a server (SIGKILL: no shutdown code runs); the next test gets a new one."""
        server.process.kill()
        server.process.wait(timeout=10)
        self.servers = {key: s for key, s in self.servers.items() if s is not server}

    def stop_all(self) -> None:
        self.stop_workers()
        for server in self.servers.values():
            _stop(server.process)
        self.servers.clear()

    def _spawn_daphne(self, key: tuple) -> LiveServer:
        preload, index = key
        # Bind here and hand the socket to Daphne: no race for a free port.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        port = sock.getsockname()[1]
        log_path = self.data_dir / f"daphne-{len(self.servers)}-{index}-{port}.log"
        try:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "daphne", "--fd", str(sock.fileno()),
                    "--application-close-timeout", "5",
                    "tests.support.live_asgi:application",
                ],
                env={**self.env, "SAHAKAR_LIVE_PRELOAD": ",".join(preload)},
                cwd=self.cwd,
                pass_fds=[sock.fileno()],
                stdout=log_path.open("wb"),
                stderr=subprocess.STDOUT,
            )
        finally:
            sock.close()
        return LiveServer(host="127.0.0.1", port=port, process=process, log_path=log_path)


def _wait_until_serving(server: LiveServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"Daphne exited while starting:\n{server.log()}")
        try:
            server.get("/healthz")
            return
        except OSError:
            time.sleep(0.1)
    _stop(server.process)
    raise RuntimeError(f"Daphne did not answer within {START_TIMEOUT}s:\n{server.log()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


# --------------------------------------------------------------------------- fixtures


def _session_uses_live(session: pytest.Session) -> bool:
    return any(
        name in getattr(item, "fixturenames", ())
        for item in session.items
        for name in LIVE_FIXTURES
    )


@pytest.fixture(scope="session")
def live_data_dir():
    # Not under pytest's basetemp: a concurrent pytest session of the same user prunes
    # old basetemps, which would delete this session's database under its servers.
    path = Path(tempfile.mkdtemp(prefix="sahakar-live-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request, django_db_modify_db_settings_parallel_suffix, live_data_dir
) -> None:
    """A live server needs the SQLite test database in a file it can open too."""
    if not _session_uses_live(request.session):
        return
    from django.db import connections

    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict["ENGINE"].endswith("sqlite3"):
            name = SQLITE_NAME if alias == "default" else f"{alias}.sqlite3"
            settings_dict.setdefault("TEST", {})["NAME"] = str(live_data_dir / name)


@pytest.fixture(scope="session", autouse=True)
def _private_channel_prefix() -> None:
    """Concurrent test sessions sharing one Redis must not hear each other's groups."""
    from channels.layers import channel_layers
    from django.conf import settings

    config = settings.CHANNEL_LAYERS.get("default", {}).get("CONFIG")
    if config is not None and "prefix" in config:
        config["prefix"] = CHANNEL_PREFIX
        channel_layers.backends.clear()


@pytest.fixture(scope="session")
def live_pool(django_db_setup, django_db_blocker, live_data_dir):
    from django.conf import settings
    from django.db import connection

    settings_dict = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "collab.settings",
        "SAHAKAR_DATA_DIR": str(live_data_dir),
        "SAHAKAR_LIVE_CHANNEL_PREFIX": CHANNEL_PREFIX,
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(settings.BASE_DIR), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = _database_url(settings_dict)
    elif connection.vendor == "sqlite":
        if Path(str(settings_dict["NAME"])) != live_data_dir / SQLITE_NAME:
            raise RuntimeError(
                "The SQLite test database is not a file a live server can open; "
                "request live fixtures from the test function (or a fixture it uses)."
            )
    pool = LivePool(data_dir=live_data_dir, env=env, cwd=Path(settings.BASE_DIR))
    yield pool
    pool.stop_all()


@pytest.fixture
def _live_test(transactional_db, live_pool, settings):
    from collab.core import clock

    settings.DATA_DIR = live_pool.data_dir
    clock.set_offset(None)
    live_pool.reset_servers()
    yield live_pool
    live_pool.stop_workers()
    clock.set_offset(None)
    _wait_for_quiet_database()


def _wait_for_quiet_database(*, quiet_for: float = 0.25, timeout: float = 15.0) -> None:
    """Let the servers finish the writes a test's last frames started before the flush.

    PostgreSQL's TRUNCATE locks table after table; a server still writing (a disconnect
    handler, a call leaving) can deadlock with it, and the flush then fails the test.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state IS NOT NULL AND state <> 'idle'"
            )
            busy = cursor.fetchone()[0]
        now = time.monotonic()
        if busy:
            quiet_since = now
        elif now - quiet_since >= quiet_for:
            return
        time.sleep(0.02)


@pytest.fixture
def daphne_server(_live_test) -> LiveServer:
    return _live_test.server()


@pytest.fixture
def live_servers(_live_test):
    def start(
        count: int = 1, *, with_worker: bool = False, preload: tuple[str, ...] = ()
    ) -> list[LiveServer]:
        servers = _live_test.start(count=count, preload=tuple(preload))
        if with_worker:
            _live_test.start_worker(preload=tuple(preload))
        return servers

    start.kill = _live_test.kill
    return start


# --------------------------------------------------------------------------- clients


def login_cookie(user) -> str:
    """Create a logged-in session for ``user``; return the ``Cookie`` header value."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


class LiveSocket:
    """A JSON websocket client for tests (wraps a ``websockets`` connection)."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.skipped: list[dict] = []

    async def send_json(self, frame: dict) -> None:
        await self.connection.send(json.dumps(frame))

    async def send_text(self, text: str) -> None:
        await self.connection.send(text)

    async def recv_json(self, timeout: float = 20.0) -> dict:
        raw = await asyncio.wait_for(self.connection.recv(), timeout)
        return json.loads(raw)

    async def recv_until(self, type: str, timeout: float = 20.0) -> dict:
        """The next frame of ``type``; frames before it are appended to ``.skipped``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"no {type!r} frame within {timeout}s")
            frame = await self.recv_json(remaining)
            if frame.get("type") == type:
                return frame
            self.skipped.append(frame)

    async def wait_closed(self, timeout: float = 10.0) -> int | None:
        """Wait for the server to close the socket; return the close code."""
        from websockets.exceptions import ConnectionClosed

        try:
            async with asyncio.timeout(timeout):
                while True:
                    self.skipped.append(json.loads(await self.connection.recv()))
        except ConnectionClosed:
            pass
        return self.close_code

    @property
    def close_code(self) -> int | None:
        return self.connection.close_code

    async def close(self) -> None:
        await self.connection.close()

    async def __aenter__(self) -> LiveSocket:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()


_DEFAULT = object()


async def ws_connect(
    server: LiveServer,
    user=None,
    *,
    token: str | None = None,
    origin=_DEFAULT,
    headers: dict[str, str] | None = None,
    path: str = "/ws/",
) -> LiveSocket:
    from asgiref.sync import sync_to_async
    from websockets.asyncio.client import connect

    extra = dict(headers or {})
    if user is not None:
        extra["Cookie"] = await sync_to_async(login_cookie)(user)
    if token is not None:
        extra["Authorization"] = f"Bearer {token}"
    connection = await connect(
        f"ws://{server.host}:{server.port}{path}",
        origin=server.origin if origin is _DEFAULT else origin,
        additional_headers=extra,
        open_timeout=20,
        max_size=4 * 1024 * 1024,
    )
    return LiveSocket(connection)
