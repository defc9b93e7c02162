"""Reads of the shell (the page frame every page shares)."""

from django.contrib.auth.models import AbstractBaseUser

from collab.notifications.selectors import unread_count


def unread_notification_count(user: AbstractBaseUser) -> int | None:
    """The bell's number, or None for someone not signed in."""
    if not user.is_authenticated:
        return None
    return unread_count(user)
