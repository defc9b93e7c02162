"""A small asyncio client of Janus's WebSocket API (janus-protocol): one session per instance,
kept alive, with plugin handles that send requests and receive the plugin's events.

Janus answers a request with ``success`` (synchronous) or ``ack`` and later an ``event``
carrying the same transaction (asynchronous plugin messages); events without a transaction
of ours (a publisher left, a renegotiation offer) go to the handle's ``on_event``.
"""

import asyncio
import itertools
import json
import logging
from collections.abc import Awaitable, Callable

from asgiref.sync import async_to_sync
from django.conf import settings
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

logger = logging.getLogger(__name__)

KEEPALIVE_EVERY = 25  # seconds; Janus drops a session silent for session_timeout (60 s)
REPLY_TIMEOUT = 10

OnEvent = Callable[[dict, dict | None], Awaitable[None]]


class JanusError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusGone(JanusError):
    """The instance stopped answering (socket closed or a reply timed out)."""

    def __init__(self, reason: str) -> None:
        super().__init__(0, reason)


class Session:
    def __init__(self, url: str, ws: ClientConnection) -> None:
        self.url = url
        self.ws = ws
        self.id: int | None = None
        self.handles: dict[int, Handle] = {}
        self._pending: dict[str, asyncio.Queue] = {}
        self._ids = itertools.count(1)
        self._tasks: list[asyncio.Task] = []

    @classmethod
    async def open(cls, url: str) -> "Session":
        try:
            ws = await connect(url, subprotocols=["janus-protocol"], open_timeout=REPLY_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise JanusGone(f"cannot reach {url}: {exc}") from exc
        session = cls(url, ws)
        session._tasks.append(asyncio.ensure_future(session._read()))
        try:
            reply = await session._request({"janus": "create"})
        except JanusError:
            await session.close()
            raise
        session.id = reply["data"]["id"]
        session._tasks.append(asyncio.ensure_future(session._keepalive()))
        return session

    @property
    def alive(self) -> bool:
        return self.ws.close_code is None and all(not t.done() for t in self._tasks)

    async def attach(self, plugin: str, on_event: OnEvent | None = None) -> "Handle":
        reply = await self._request({"janus": "attach", "plugin": plugin})
        handle = Handle(self, reply["data"]["id"], on_event)
        self.handles[handle.id] = handle
        return handle

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        try:
            if self.ws.close_code is None:
                await self._request({"janus": "destroy"})
        except JanusError:
            pass
        finally:
            await self.ws.close()
            self._fail_pending("session closed")

    async def _request(self, body: dict, *, until: str = "success") -> dict:
        """Send and wait for the reply; ``until="event"`` waits past Janus's ``ack``."""
        transaction = f"t{next(self._ids)}"
        replies = self._pending[transaction] = asyncio.Queue()
        message = {**body, "transaction": transaction}
        if self.id is not None:
            message["session_id"] = self.id
        try:
            await self.ws.send(json.dumps(message))
            async with asyncio.timeout(REPLY_TIMEOUT):
                reply = await replies.get()
                while isinstance(reply, dict) and reply["janus"] == "ack" and until == "event":
                    reply = await replies.get()
            if isinstance(reply, JanusGone):
                raise reply
        except (ConnectionClosed, TimeoutError) as exc:
            raise JanusGone(f"{self.url} did not answer {body.get('janus')}") from exc
        finally:
            self._pending.pop(transaction, None)
        if reply["janus"] == "error":
            raise JanusError(reply["error"]["code"], reply["error"]["reason"])
        return reply

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                replies = self._pending.get(message.get("transaction"))
                if replies is not None:
                    replies.put_nowait(message)
                elif message.get("janus") in ("event", "hangup", "detached", "webrtcup"):
                    handle = self.handles.get(message.get("sender"))
                    if handle is not None and handle.on_event is not None:
                        asyncio.ensure_future(handle.deliver(message))
        except ConnectionClosed:
            pass
        finally:
            self._fail_pending("connection lost")

    def _fail_pending(self, reason: str) -> None:
        for replies in self._pending.values():
            replies.put_nowait(JanusGone(reason))

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_EVERY)
            await self._request({"janus": "keepalive"}, until="ack")


class Handle:
    def __init__(self, session: Session, handle_id: int, on_event: OnEvent | None) -> None:
        self.session = session
        self.id = handle_id
        self.on_event = on_event
        # Unsolicited events of one handle are delivered in order.
        self._lock = asyncio.Lock()

    async def message(self, body: dict, jsep: dict | None = None) -> tuple[dict, dict | None]:
        """A plugin request; returns the plugin's data and the JSEP it carried, if any."""
        request = {"janus": "message", "handle_id": self.id, "body": body}
        if jsep is not None:
            request["jsep"] = jsep
        asynchronous = body.get("request") in ASYNC_REQUESTS
        reply = await self.session._request(request, until="event" if asynchronous else "success")
        data = reply.get("plugindata", {}).get("data", {})
        if "error_code" in data:
            raise JanusError(data["error_code"], data.get("error", ""))
        return data, reply.get("jsep")

    async def deliver(self, message: dict) -> None:
        async with self._lock:
            try:
                await self.on_event(message.get("plugindata", {}).get("data", {}), message)
            except Exception:
                logger.exception("Janus event on handle %s failed", self.id)

    async def detach(self) -> None:
        self.session.handles.pop(self.id, None)
        try:
            await self.session._request({"janus": "detach", "handle_id": self.id})
        except JanusError:
            pass  # already gone with its session


# VideoRoom requests answered through an event (the others answer at once).
ASYNC_REQUESTS = {
    "join",
    "configure",
    "publish",
    "start",
    "subscribe",
    "unsubscribe",
    "update",
    "leave",
    "unpublish",
    "pause",
    "switch",
    "joinandconfigure",
}


async def probe(url: str) -> str:
    """Janus's version at ``url`` if it answers ``info`` with the VideoRoom plugin loaded."""
    try:
        async with connect(url, subprotocols=["janus-protocol"], open_timeout=2) as ws:
            await ws.send(json.dumps({"janus": "info", "transaction": "probe"}))
            async with asyncio.timeout(2):
                info = json.loads(await ws.recv())
    except (OSError, TimeoutError, ConnectionClosed) as exc:
        raise JanusGone(f"no answer: {type(exc).__name__}") from exc
    if "janus.plugin.videoroom" not in info.get("plugins", {}):
        raise JanusError(0, "VideoRoom plugin not loaded")
    return info.get("version_string", "?")


def health() -> str:
    """/healthz: every instance by its position in SAHAKAR_JANUS_URLS (addresses stay
    private), failing only when none answers: meetings move to the instances that do."""

    async def probe_all() -> list:
        urls = settings.SAHAKAR_JANUS_URLS
        return await asyncio.gather(*(probe(url) for url in urls), return_exceptions=True)

    results = async_to_sync(probe_all)()
    states = [
        f"#{n}: {'down' if isinstance(r, Exception) else 'Janus ' + r}"
        for n, r in enumerate(results, 1)
    ]
    if all(isinstance(r, Exception) for r in results):
        raise RuntimeError(f"no Janus instance answers ({', '.join(states)})")
    return ", ".join(states)
