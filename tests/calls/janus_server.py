"""Janus (Debian's ``janus`` package) on loopback for the tests: a generated configuration in
a temporary folder (VideoRoom plugin, WebSocket transport on a free port, every other plugin,
transport and logger off), started, waited for until it answers ``info``, and stopped.

ICE: Janus (libnice) and aiortc (aioice) both leave loopback interfaces out of their host
candidates, so media flows over the machine's own non-loopback address; the API stays on
127.0.0.1 and no STUN/TURN server is asked.
"""

import json
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import skip_or_fail_when_missing

START_TIMEOUT = 20
PLUGINS_OFF = (
    "audiobridge",
    "duktape",
    "echotest",
    "lua",
    "nosip",
    "recordplay",
    "sip",
    "streaming",
    "textroom",
    "videocall",
    "voicemail",
)
TRANSPORTS_OFF = ("http", "mqtt", "nanomsg", "pfunix", "rabbitmq")
LOGGERS_OFF = ("jsonlog",)


@dataclass
class JanusServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _libs(names) -> str:
    return ",".join(f"libjanus_{name}.so" for name in names)


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(folder: Path, port: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "janus.jcfg").write_text(f"""general: {{
  configs_folder = "{folder}"
  debug_level = 4
  debug_timestamps = true
  debug_colors = false
  session_timeout = 60
}}
nat: {{ ice_ignore_list = "vmnet" }}
plugins: {{ disable = "{_libs(PLUGINS_OFF)}" }}
transports: {{ disable = "{_libs(TRANSPORTS_OFF)}" }}
loggers: {{ disable = "{_libs(LOGGERS_OFF)}" }}
events: {{ broadcast = false }}
""")
    (folder / "janus.transport.websockets.jcfg").write_text(f"""general: {{
  json = "plain"
  ws = true
  ws_ip = "127.0.0.1"
  ws_port = {port}
  wss = false
}}
admin: {{ admin_ws = false }}
""")
    (folder / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n")


def start_janus(folder: Path) -> JanusServer:
    binary = shutil.which("janus")
    if binary is None:
        skip_or_fail_when_missing("janus (Debian package janus) is not installed")
    port = free_tcp_port()
    write_config(folder, port)
    log_path = folder / "janus.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [binary, "-F", str(folder), "-C", str(folder / "janus.jcfg")],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = JanusServer(url=f"ws://127.0.0.1:{port}", process=process, log_path=log_path)
    _wait_until_answering(server)
    return server


def _wait_until_answering(server: JanusServer) -> None:
    from websockets.sync.client import connect

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with connect(server.url, subprotocols=["janus-protocol"], open_timeout=2) as ws:
                ws.send(json.dumps({"janus": "info", "transaction": "ready"}))
                info = json.loads(ws.recv(timeout=5))
            if "janus.plugin.videoroom" in info.get("plugins", {}):
                return
        except (OSError, TimeoutError):
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"Janus did not answer on {server.url}:\n{server.log()}")
