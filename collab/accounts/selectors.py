from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from collab.core import clock

from .models import AccountEvent, OneTimeLink, Passkey, PersonalToken, Profile, SessionRecord


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


def people_for_reset(*, email: str):
    """Active directory people with an active login whose address (theirs or their
    login's) is ``email``."""
    from collab.directory.models import Person

    return (
        Person.objects.select_related("user")
        .filter(active=True, user__is_active=True)
        .filter(Q(email__iexact=email) | Q(user__email__iexact=email))
        .order_by("pk")
    )


def valid_link(*, token: str, kind: str, lock: bool = False) -> OneTimeLink | None:
    """The unused, unreplaced, unexpired link of an active user this token opens."""
    from .services import link_token

    pk, _sep, _mac = token.partition("-")
    if not pk.isdigit():
        return None
    links = OneTimeLink.objects.select_related("user")
    if lock:
        links = links.select_for_update(of=("self",))
    link = links.filter(
        pk=int(pk), kind=kind, used_at__isnull=True, revoked_at__isnull=True,
        expires_at__gt=clock.now(), user__is_active=True,
    ).first()  # fmt: skip
    if link is None or not constant_time_compare(link_token(link), token):
        return None
    return link


def sessions_of(*, user: AbstractBaseUser) -> QuerySet[SessionRecord]:
    """The user's signed-in devices whose session has not expired."""
    from django.contrib.sessions.models import Session

    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return SessionRecord.objects.filter(user=user, session_key__in=live)


def account_events() -> QuerySet[AccountEvent]:
    return AccountEvent.objects.order_by("at", "pk")


def people_to_invite(*, unit=None, subunits: bool = False, without_login: bool = False):
    """Active people with an email address, optionally in a unit (holders and acting
    holders; with ``subunits`` its whole subtree), optionally only those who cannot sign
    in yet (no login, or a login with no usable password that never signed in)."""
    from collab.directory.models import Person, Position

    people = Person.objects.select_related("user").filter(active=True).exclude(email="")
    if unit is not None:
        posts = Position.objects.filter(
            **({"unit__path__startswith": unit.path} if subunits else {"unit": unit})
        )
        people = people.filter(
            Q(pk__in=posts.values("holder_id")) | Q(pk__in=posts.values("acting_holder_id"))
        )
    if without_login:
        people = people.filter(
            Q(user__isnull=True)
            | Q(user__password__startswith="!", user__last_login__isnull=True)
        )
    return people.order_by("employee_id")


def passkeys_of(*, user) -> list[Passkey]:
    return list(Passkey.objects.filter(user=user).defer("public_key"))
