from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from .models import PersonalToken, Profile


def token_row(token: str) -> PersonalToken | None:
    """The token row of an active user's bearer token, or None."""
    return (
        PersonalToken.objects.select_related("user")
        .filter(digest=PersonalToken.hash(token), user__is_active=True)
        .first()
    )


def user_for_token(token: str):
    """The active user a bearer token belongs to, or None."""
    row = token_row(token)
    return row.user if row else None


def tokens_of(*, user: AbstractBaseUser) -> QuerySet[PersonalToken]:
    return PersonalToken.objects.filter(user=user).order_by("-created")


def preferred_language(*, user: AbstractBaseUser) -> str | None:
    return Profile.objects.filter(user=user).values_list("language", flat=True).first()


def active_user(username: str):
    return get_user_model().objects.filter(username=username, is_active=True).first()
