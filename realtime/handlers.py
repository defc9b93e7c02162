"""Registry of websocket frame handlers.

An app handles its own client frames on the one ``/ws/`` socket::

    from collab.core.errors import ServiceError
    from realtime.frames import Frame, Id
    from realtime.handlers import frame_handler

    class Send(Frame):
        room: Id
        body: str

    @frame_handler("chat.send", Send)
    async def handle_send(consumer, frame: Send) -> None:
        ...
        await consumer.send_frame({"type": "chat.sent", "id": message_id})

Import the module from the app's ``AppConfig.ready()`` so it registers in every
process (Daphne and tests alike). ``consumer.user`` is the Django user;
``consumer.channel_name`` identifies the socket (see ``send_ephemeral``).
Every frame is validated first (``realtime.frames``): a handler registered with a model
gets the parsed model; one registered without gets the frame as a dict whose envelope and
integers were checked.
A handler (or a service it calls) raising ``collab.core.errors.ServiceError`` sends
``{"type": "error", "code", "detail", **extra}``; any other exception is logged and
answered with code ``internal``. The socket stays open.
"""

from collections.abc import Awaitable, Callable
from typing import Any

FrameHandler = Callable[[Any, dict], Awaitable[None]]

# Frame types the consumer answers itself; apps cannot take them over.
RESERVED_TYPES = frozenset({"hello", "resume", "resumed", "checkpoint", "ping", "pong", "error"})

_handlers: dict[str, FrameHandler] = {}
_models: dict[str, Any] = {}  # frame type -> its realtime.frames.Frame subclass


def frame_handler(type: str, model: Any = None) -> Callable[[FrameHandler], FrameHandler]:
    """Register ``fn`` as the handler of client frames of this ``type``; with ``model`` (a
    ``realtime.frames.Frame`` subclass) it gets the frame parsed into it."""
    if type in RESERVED_TYPES:
        raise ValueError(f"Frame type {type!r} is reserved by the stream protocol.")

    def register(fn: FrameHandler) -> FrameHandler:
        existing = _handlers.get(type)
        if existing is not None and _qualname(existing) != _qualname(fn):
            raise ValueError(f"Frame type {type!r} already handled by {_qualname(existing)}.")
        _handlers[type] = fn
        if model is not None:
            _models[type] = model
        return fn

    return register


def handler_for(type: str) -> FrameHandler | None:
    return _handlers.get(type)


def model_for(type: str) -> Any:
    return _models.get(type)


def registered_types() -> list[str]:
    return sorted(_handlers)


def _qualname(fn: Callable) -> str:
    # Same function imported twice (e.g. module reloaded) is not a conflict.
    return f"{fn.__module__}.{fn.__qualname__}"
