"""Reads the shell needs from other apps, guarded so the shell works before they land."""

from importlib import import_module

from django.contrib.auth.models import AbstractBaseUser


def unread_notification_count(user: AbstractBaseUser) -> int | None:
    """The user's unread notifications, or None while the notifications app offers no count."""
    if not user.is_authenticated:
        return None
    try:
        count = import_module("collab.notifications.selectors").unread_count
    except (ImportError, AttributeError):
        return None
    return int(count(user))


def person_for(user: AbstractBaseUser):
    """The directory person linked to this login, or None."""
    from collab.directory.selectors import person_for_user

    return person_for_user(user)  # cached on the user object for the rest of the request


def positions_of(person) -> list:
    """Positions a person holds or acts in, with their units."""
    from django.db.models import Q

    from collab.directory.models import Position

    return list(
        Position.objects.filter(Q(holder=person) | Q(acting_holder=person)).select_related("unit")
    )
