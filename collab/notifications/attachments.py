"""Files that a notification's email carries (a meeting's .ics invitation). The emitting app
registers a builder for its event type; the email channel calls it when it sends, so the
file is made from the record as it is then and a retried send carries the same file."""

from collections.abc import Callable
from typing import NamedTuple

from .models import Notification


class Attachment(NamedTuple):
    filename: str
    content: str | bytes
    mimetype: str


Builder = Callable[..., list[Attachment]]  # builder(notification, *, link) -> attachments
_builders: dict[str, Builder] = {}


def register_attachments(event_type: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        _builders[event_type] = builder
        return builder

    return register


def attachments_for(notification: Notification, *, link: str) -> list[Attachment]:
    builder = _builders.get(notification.event_type)
    return builder(notification, link=link) if builder else []
