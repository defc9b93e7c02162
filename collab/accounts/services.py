from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PersonalToken, Profile

# Recording every API call would turn each read into a write; minutes are precise enough.
TOKEN_USE_PRECISION = timedelta(minutes=5)


def create_token(*, user: AbstractBaseUser, name: str) -> str:
    """Create a personal API token and return it (the only time it is visible)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if len(name) > PersonalToken._meta.get_field("name").max_length:
        raise ValidationError({"name": _("The name is too long (100 characters at most).")})
    token = PersonalToken.generate()
    PersonalToken.objects.create(
        user=user, name=name, prefix=token[3:8], digest=PersonalToken.hash(token)
    )
    return token


def revoke_token(*, user: AbstractBaseUser, token_id: int) -> bool:
    """Delete one of the user's tokens; False when it is not theirs or already gone."""
    deleted, _details = PersonalToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


def record_token_use(*, token: PersonalToken) -> None:
    at = timezone.now()
    if token.last_used is None or at - token.last_used > TOKEN_USE_PRECISION:
        PersonalToken.objects.filter(pk=token.pk).update(last_used=at)
        token.last_used = at


def set_language(*, user: AbstractBaseUser, language: str) -> Profile:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose Khmer or English.")})
    profile, _created = Profile.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return profile


def language_at_login(*, user: AbstractBaseUser, current: str) -> str:
    """The language to use after login: the profile's, or (first login) the current one,
    which then becomes the profile's."""
    if current not in dict(settings.LANGUAGES):
        current = settings.LANGUAGE_CODE
    profile, _created = Profile.objects.get_or_create(user=user, defaults={"language": current})
    return profile.language
