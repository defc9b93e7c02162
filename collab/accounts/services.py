from django.contrib.auth.models import AbstractBaseUser

from .models import PersonalToken


def create_token(*, user: AbstractBaseUser, name: str) -> str:
    """Create a personal API token and return it (the only time it is visible)."""
    token = PersonalToken.generate()
    PersonalToken.objects.create(user=user, name=name, prefix=token[3:8], digest=PersonalToken.hash(token))
    return token
