from django.contrib.auth import get_user_model

from .models import PersonalToken


def user_for_token(token: str):
    """The active user a bearer token belongs to, or None."""
    row = (
        PersonalToken.objects.select_related("user")
        .filter(digest=PersonalToken.hash(token), user__is_active=True)
        .first()
    )
    return row.user if row else None


def active_user(username: str):
    return get_user_model().objects.filter(username=username, is_active=True).first()
