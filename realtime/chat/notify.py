"""Who hears about a message while away: mentioned people and DM partners who are offline."""

from .models import Message, Room


def after_message(*, message: Message, room: Room) -> None:
    # Wired to collab.notifications.services.emit once it is implemented (see docs/chat.md).
    return None
