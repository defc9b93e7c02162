"""The names and instances of the delivery channels (backends in ``channels.py`` and in
apps such as accounts register here). It imports no model, so models can validate against
it without an import cycle."""

from typing import Any

_registry: dict[str, Any] = {}


def register_channel(backend: type) -> type:
    _registry[backend.name] = backend()
    return backend


def get_channel(name: str):
    return _registry[name]


def channel_names() -> list[str]:
    return list(_registry)
