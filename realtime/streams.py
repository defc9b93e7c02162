"""Which streams a user may see.

Apps register a provider per stream prefix; the consumer asks every provider on
connect (to join channel-layer groups) and on resume (to filter the event table).
"""

from collections.abc import Callable, Iterable

StreamProvider = Callable[[int], Iterable[str]]
_providers: dict[str, StreamProvider] = {}


def register_stream_provider(prefix: str, provider: StreamProvider) -> None:
    """``provider(user_id)`` returns the stream names (starting with ``prefix``) the user sees."""
    _providers[prefix] = provider


def streams_for_user(user_id: int) -> set[str]:
    streams: set[str] = set()
    for provider in _providers.values():
        streams.update(provider(user_id))
    return streams


def streams_of_users(user_ids: list[int]) -> list[set[str]]:
    """``streams_for_user`` of many users, in one call (see ``realtime.batching``)."""
    return [streams_for_user(user_id) for user_id in user_ids]


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def stream_group(stream: str) -> str:
    return f"stream.{stream}"
