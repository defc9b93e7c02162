from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, rounded up (a lockout of 14.5 minutes reads "15")."""
    if not value:
        return 0
    return -(-int(value.total_seconds()) // 60)


@register.filter
def display_name(user) -> str:
    """A user as people know them: their directory name in the reader's language (Khmer in
    Khmer), else their account's name, else the username."""
    if user is None:
        return ""
    from collab.directory.selectors import person_for_user

    person = person_for_user(user)
    if person is not None:
        return person.name()
    return user.get_short_name() or user.get_username()
