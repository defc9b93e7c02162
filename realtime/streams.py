"""Which streams a user may see.

Apps register a provider per stream prefix; the consumer asks every provider on
connect (to join channel-layer groups) and on resume (to filter the event table).
A provider answers for many users at once: the sockets of a reconnect storm share one
query per provider (``realtime.batching``).
"""

from collections.abc import Callable, Iterable, Mapping

StreamProvider = Callable[[list[int]], Mapping[int, Iterable[str]]]
_providers: dict[str, StreamProvider] = {}


def register_stream_provider(prefix: str, provider: StreamProvider) -> None:
    """``provider(user_ids)`` returns {user id: the stream names (starting with ``prefix``)
    the user sees}; a user it leaves out sees none."""
    _providers[prefix] = provider


def streams_of_users(user_ids: list[int]) -> list[set[str]]:
    """The streams each of ``user_ids`` sees, one query per provider."""
    streams: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    for provider in _providers.values():
        for user_id, names in provider(list(streams)).items():
            streams[user_id].update(names)
    return [streams[user_id] for user_id in user_ids]


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def stream_group(stream: str) -> str:
    return f"stream.{stream}"
