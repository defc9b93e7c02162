"""Writes of external identities: linking a verified identity to a login, provider
sessions, and ending a person's access (sessions, API tokens, open sockets)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from collab.accounts import audit
from collab.accounts.models import AccountEvent, PersonalToken, Profile
from collab.core import clock
from collab.directory.models import Person
from collab.directory.services import end_sessions
from realtime.services import close_sockets

from . import selectors
from .models import ExternalIdentity, ProviderSession
from .seam import IdentityRefused, VerifiedIdentity

NOT_IN_DIRECTORY = "not_in_directory"
IDENTITY_CONFLICT = "identity_conflict"
LOGIN_DISABLED = "login_disabled"


def sign_in(*, identity: VerifiedIdentity) -> AbstractBaseUser:
    """The login of the person a verified identity belongs to, linking it the first time.

    Creates the login when the person has none. The directory stays the source of truth:
    the login's name and email are copied from the person at every sign-in. Raises
    ``IdentityRefused`` (nothing written) when no active person matches, when the person's
    login already belongs to another identity, or when the login is switched off.
    """
    try:
        with transaction.atomic():
            return _sign_in(identity)
    except IntegrityError as exc:  # a concurrent first sign-in linked it meanwhile
        raise IdentityRefused(IDENTITY_CONFLICT) from exc


def _sign_in(identity: VerifiedIdentity) -> AbstractBaseUser:
    found = selectors.person_for(identity)
    if found is None:
        raise IdentityRefused(NOT_IN_DIRECTORY)
    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=found.pk)
    linked = selectors.identity_of(issuer=identity.issuer, subject=identity.subject)
    user = person.user
    if linked is None:
        if user is not None and ExternalIdentity.objects.filter(user=user).exists():
            raise IdentityRefused(IDENTITY_CONFLICT)
        if user is None:
            user = _new_login(person)
        linked = ExternalIdentity.objects.create(
            issuer=identity.issuer, subject=identity.subject, user=user
        )
    elif user is None or user.pk != linked.user_id:
        raise IdentityRefused(IDENTITY_CONFLICT)
    if not user.is_active:
        raise IdentityRefused(LOGIN_DISABLED)
    _copy_from_directory(user, person)
    linked.last_sign_in = clock.now()
    linked.save(update_fields=["last_sign_in"])
    return user


def _new_login(person: Person) -> AbstractBaseUser:
    User = get_user_model()
    base = person.employee_id.lower()
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = User(username=username)
    user.set_unusable_password()
    _copy_from_directory(user, person, save=False)
    user.save()
    person.user = user
    person.save(update_fields=["user"])
    language = (person.languages.split(",")[0].strip() if person.languages else "") or "km"
    if language in dict(settings.LANGUAGES):
        Profile.objects.get_or_create(user=user, defaults={"language": language})
    return user


def _copy_from_directory(user, person: Person, *, save: bool = True) -> None:
    values = {
        "first_name": person.given_name_en[:150],
        "last_name": person.family_name_en[:150],
        "email": person.email,
    }
    changed = [k for k, v in values.items() if getattr(user, k) != v]
    for key in changed:
        setattr(user, key, values[key])
    if save and changed:
        user.save(update_fields=changed)


def remember_provider_session(
    *, issuer: str, sid: str, subject: str, session_key: str, user: AbstractBaseUser
) -> None:
    ProviderSession.objects.update_or_create(
        session_key=session_key,
        defaults={"issuer": issuer, "sid": sid, "subject": subject, "user": user},
    )


def end_provider_sessions(
    *, issuer: str, sid: str = "", subject: str = "", request: HttpRequest | None = None
) -> int:
    """A provider ended a person's session (back-channel logout): end the Sahakar sessions
    it opened (by ``sid``; every one of the subject's when only ``subject`` is given) and
    close their sockets. Returns the number of sessions ended."""
    from importlib import import_module

    rows = ProviderSession.objects.filter(issuer=issuer).select_related("user")
    rows = rows.filter(sid=sid) if sid else rows.filter(subject=subject)
    if sid and subject:
        rows = rows.filter(subject=subject)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    by_user: dict[int, list[str]] = {}
    users = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row.session_key)
        users[row.user_id] = row.user
    with transaction.atomic():
        for user_id, keys in by_user.items():
            for key in keys:
                store(session_key=key).delete()
            close_sockets(user_id=user_id, session_keys=keys)
            audit.record(
                kind=AccountEvent.Kind.SESSION_ENDED,
                user=users[user_id],
                method=AccountEvent.Method.SSO,
                reason="backchannel_logout",
                request=request,
                sessions=len(keys),
            )
        ProviderSession.objects.filter(
            session_key__in=[k for keys in by_user.values() for k in keys]
        ).delete()
    return sum(len(keys) for keys in by_user.values())


def end_access(*, user_ids: set[int], method: str, reason: str = "") -> None:
    """Everything a deactivated person could still use stops: API tokens are revoked and
    open sockets closed (sessions are ended by ``deactivate_people`` itself)."""
    User = get_user_model()
    with transaction.atomic():
        for user in User.objects.filter(pk__in=user_ids):
            revoked, _ = PersonalToken.objects.filter(user=user).delete()
            close_sockets(user_id=user.pk)
            audit.record(
                kind=AccountEvent.Kind.DEACTIVATED, user=user, method=method, reason=reason
            )
            if revoked:
                audit.record(
                    kind=AccountEvent.Kind.TOKEN_REVOKED,
                    user=user,
                    method=method,
                    reason="deactivated",
                    tokens=revoked,
                )
        ProviderSession.objects.filter(user_id__in=user_ids).delete()


def deactivate_login(*, user: AbstractBaseUser, method: str) -> None:
    """A login switched off directly (the admin): end its sessions too, then ``end_access``."""
    end_sessions(user_ids={user.pk})
    end_access(user_ids={user.pk}, method=method)
