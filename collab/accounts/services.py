import hashlib
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from collab.core import clock
from collab.directory.services import end_sessions as directory_end_sessions

from . import audit, mfa, selectors
from .models import (
    AccountEvent,
    OneTimeLink,
    Passkey,
    PasswordResetRequest,
    PersonalToken,
    Profile,
    SessionRecord,
)
from .passkeys import NewPasskey

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


def revoke_token(
    *, user: AbstractBaseUser, token_id: int, request: HttpRequest | None = None
) -> bool:
    """Delete one of the user's tokens; False when it is not theirs or already gone."""
    token = PersonalToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        return False
    token.delete()
    audit.record(kind=AccountEvent.Kind.TOKEN_REVOKED, user=user, request=request,
                 token=token.name, prefix=token.prefix)  # fmt: skip
    return True


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


def language_at_login(*, user: AbstractBaseUser, current: str, chosen: bool = False) -> str:
    """The language to use after login: one ``chosen`` on the login page itself, which
    then becomes the profile's; else the profile's, or (first login) the current one,
    which then becomes the profile's."""
    if current not in dict(settings.LANGUAGES):
        current = settings.LANGUAGE_CODE
    if chosen:
        return set_language(user=user, language=current).language
    profile, _created = Profile.objects.get_or_create(user=user, defaults={"language": current})
    return profile.language


# --- invitations and password resets --------------------------------------------------

LINK_SALT = "collab.accounts.one_time_link"
LINK_EVENT_KEY = "account-link:{pk}"
ACCOUNT_EMAIL_CHANNEL = "account_email"


def link_token(link: OneTimeLink) -> str:
    """The secret part of the emailed URL (the same every time it is computed)."""
    raw = f"{link.pk}:{link.kind}:{link.user_id}:{link.nonce}"
    return f"{link.pk}-{salted_hmac(LINK_SALT, raw, algorithm='sha256').hexdigest()[:40]}"


def link_url(link: OneTimeLink) -> str:
    name = (
        "accounts:invitation"
        if link.kind == OneTimeLink.Kind.INVITATION
        else "accounts:password_reset_confirm"
    )
    return settings.SAHAKAR_BASE_URL.rstrip("/") + reverse(name, args=[link_token(link)])


def username_for(person) -> str:
    """A new login's username: the work email address (what people remember), else the
    employee id."""
    User = get_user_model()
    for candidate in (person.email.strip().lower(), person.employee_id.strip().lower()):
        if candidate and not User.objects.filter(username__iexact=candidate).exists():
            return candidate[:150]
    raise ValidationError(_("No free username for this person; create the login by hand."))


def login_for_person(*, person) -> AbstractBaseUser:
    """The person's login, created (without a usable password) when they have none."""
    if person.user_id:
        return person.user
    User = get_user_model()
    user = User(
        username=username_for(person),
        email=person.email,
        first_name=person.given_name_en,
        last_name=person.family_name_en,
    )
    user.set_unusable_password()
    user.save()
    person.user = user
    person.save(update_fields=["user"])
    return user


def _new_link(*, kind: str, user, valid_for: timedelta, created_by=None) -> OneTimeLink:
    at = clock.now()
    OneTimeLink.objects.filter(
        user=user, kind=kind, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=at)
    return OneTimeLink.objects.create(
        kind=kind, user=user, nonce=OneTimeLink.new_nonce(), created_at=at,
        expires_at=at + valid_for, created_by=created_by,
    )  # fmt: skip


def _send_link(*, link: OneTimeLink, person, message: dict[str, str]) -> None:
    from collab.notifications.services import emit

    emit(
        event_type=f"accounts.{link.kind}",
        event_key=LINK_EVENT_KEY.format(pk=link.pk),
        org_unit=None,
        people=[person],
        message=message,
        url=reverse("accounts:login"),
        channels=[ACCOUNT_EMAIL_CHANNEL],
    )


def invite(*, person, invited_by=None, request: HttpRequest | None = None) -> OneTimeLink:
    """Email the person a one-time link to choose a password (through the notification
    outbox). An earlier invitation of theirs stops working."""
    if not person.active:
        raise ValidationError(_("This person is not active in the directory."))
    if not person.email:
        raise ValidationError(_("This person has no email address in the directory."))
    with transaction.atomic():
        user = login_for_person(person=person)
        if not user.is_active:
            raise ValidationError(_("This person's login is switched off."))
        link = _new_link(
            kind=OneTimeLink.Kind.INVITATION, user=user, created_by=invited_by,
            valid_for=timedelta(days=settings.SAHAKAR_INVITATION_DAYS),
        )  # fmt: skip
        _send_link(link=link, person=person, message={
            "en": "You are invited to Sahakar: the email has a link to choose your password.",
            "km": "អ្នកត្រូវបានអញ្ជើញឱ្យប្រើសហការ៖ អ៊ីមែលមានតំណដើម្បីជ្រើសរើសពាក្យសម្ងាត់របស់អ្នក។",
        })  # fmt: skip
        audit.record(
            kind=AccountEvent.Kind.INVITED, user=user, request=request,
            method=AccountEvent.Method.ADMIN if invited_by else "",
            by=invited_by.get_username() if invited_by else "", link=link.pk,
        )  # fmt: skip
    return link


class RateLimited(Exception):
    pass


def request_password_reset(*, email: str, request: HttpRequest | None = None) -> int:
    """Email a reset link to the active people with this address; returns how many (never
    shown: the answer is the same whether or not the address is known). Raises RateLimited
    when this address or this client asked too often this hour."""
    email = email.strip().lower()
    per_address, per_ip = settings.SAHAKAR_PASSWORD_RESET_RATE
    digest = hashlib.sha256(email.encode()).hexdigest()
    ip, at = audit.client_ip(request), clock.now()
    # Refused requests count too: hammering keeps the limit closed.
    PasswordResetRequest.objects.filter(at__lt=at - timedelta(days=1)).delete()
    PasswordResetRequest.objects.create(at=at, address_digest=digest, ip=ip)
    recent = PasswordResetRequest.objects.filter(at__gt=at - timedelta(hours=1))
    if recent.filter(address_digest=digest).count() > per_address or (
        ip and recent.filter(ip=ip).count() > per_ip
    ):
        raise RateLimited
    sent = 0
    for person in selectors.people_for_reset(email=email):
        with transaction.atomic():
            link = _new_link(
                kind=OneTimeLink.Kind.PASSWORD_RESET, user=person.user,
                valid_for=timedelta(minutes=settings.SAHAKAR_PASSWORD_RESET_MINUTES),
            )  # fmt: skip
            _send_link(link=link, person=person, message={
                "en": "A password reset was asked for your account; the link was emailed.",
                "km": "មានសំណើកំណត់ពាក្យសម្ងាត់ឡើងវិញសម្រាប់គណនីរបស់អ្នក៖ តំណត្រូវបានផ្ញើតាមអ៊ីមែល។",
            })  # fmt: skip
            audit.record(
                kind=AccountEvent.Kind.PASSWORD_RESET, user=person.user, request=request,
                reason="requested", link=link.pk,
            )  # fmt: skip
        sent += 1
    return sent


def use_link(
    *, token: str, kind: str, password: str, request: HttpRequest | None = None
) -> AbstractBaseUser:
    """Set the password through a one-time link, which then stops working. Raises
    ValidationError for a bad, used, replaced or expired link or a rejected password."""
    with transaction.atomic():
        link = selectors.valid_link(token=token, kind=kind, lock=True)
        if link is None:
            raise ValidationError(_("This link is no longer valid. Ask for a new one."))
        user = link.user
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        link.used_at = clock.now()
        link.save(update_fields=["used_at"])
        OneTimeLink.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=link.used_at
        )
        event = (
            AccountEvent.Kind.PASSWORD_CHANGED
            if kind == OneTimeLink.Kind.INVITATION
            else AccountEvent.Kind.PASSWORD_RESET
        )
        audit.record(
            kind=event, user=user, request=request, reason=f"{kind} link used", link=link.pk
        )
    if kind == OneTimeLink.Kind.PASSWORD_RESET:
        end_sessions(user=user)
    return user


# --- sessions ------------------------------------------------------------------------

SEEN_KEY = "sahakar_seen"  # epoch seconds of the session's last SessionRecord update


def touch_session(*, request: HttpRequest, user) -> None:
    """Record that this signed-in session was just used (the middleware calls this at most
    every few minutes per session, and the sign-in itself once)."""
    key = request.session.session_key
    if not key:
        return
    at = clock.now()
    request.session[SEEN_KEY] = int(at.timestamp())
    ip = audit.client_ip(request)
    if SessionRecord.objects.filter(session_key=key, user=user).update(last_seen=at, ip=ip):
        return
    SessionRecord.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user, "ip": ip, "created_at": at, "last_seen": at,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )  # fmt: skip


def _delete_session(key: str) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    store(session_key=key).delete()  # through the store: a cached copy goes too
    SessionRecord.objects.filter(session_key=key).delete()


def end_session(*, user, record_id: int, request: HttpRequest | None = None) -> bool:
    """End one of the user's sessions; False when it is not theirs or already gone."""
    row = SessionRecord.objects.filter(user=user, pk=record_id).first()
    if row is None:
        return False
    _delete_session(row.session_key)
    audit.record(kind=AccountEvent.Kind.SESSION_ENDED, user=user, request=request,
                 ended_ip=row.ip or "")  # fmt: skip
    return True


def end_other_sessions(*, user, keep: str, request: HttpRequest | None = None) -> int:
    keys = list(
        SessionRecord.objects.filter(user=user).exclude(session_key=keep)
        .values_list("session_key", flat=True)
    )  # fmt: skip
    for key in keys:
        _delete_session(key)
    if keys:
        audit.record(kind=AccountEvent.Kind.SESSION_ENDED, user=user, request=request,
                     count=len(keys), others=True)  # fmt: skip
    return len(keys)


def end_sessions(*, user) -> int:
    SessionRecord.objects.filter(user=user).delete()
    return directory_end_sessions(user_ids={user.pk})


# --- second factor -------------------------------------------------------------------


def confirm_totp(*, user, code: str, request: HttpRequest | None = None) -> bool:
    """Confirm the pending authenticator-app device with a code it shows now."""
    device = mfa.pending_totp_device(user)
    if not device.verify_token(mfa.normalise_code(code)):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(kind=AccountEvent.Kind.MFA_ENROLLED, user=user, request=request,
                 method=AccountEvent.Method.TOTP)  # fmt: skip
    return True


def replace_recovery_codes(*, user, request: HttpRequest | None = None,
                           first: bool = False) -> list[str]:  # fmt: skip
    codes = mfa.new_recovery_codes(user)
    if not first:
        audit.record(kind=AccountEvent.Kind.MFA_RESET, user=user, request=request,
                     method=AccountEvent.Method.RECOVERY_CODE, reason="new recovery codes")
    return codes


def reset_second_factor(*, user, request: HttpRequest | None = None, by=None) -> int:
    """Remove every second-factor device of the user (an administrator's reset ends their
    sessions too, so the next sign-in asks them to enrol again)."""
    from django_otp import devices_for_user

    # The user's own removal keeps their passkeys (each has its own remove button).
    removed = Passkey.objects.filter(user=user).delete()[0] if by is not None else 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    audit.record(
        kind=AccountEvent.Kind.MFA_RESET, user=user, request=request,
        method=AccountEvent.Method.ADMIN if by else "",
        reason="reset by an administrator" if by else "removed by the user",
        by=by.get_username() if by else "",
    )  # fmt: skip
    if by is not None:
        end_sessions(user=user)
    return removed


def add_passkey(*, user, name: str, new: NewPasskey, request: HttpRequest | None = None
                ) -> Passkey:  # fmt: skip
    passkey = Passkey.objects.create(
        user=user, name=name, credential_id=new.credential_id, public_key=new.public_key,
        sign_count=new.sign_count, transports=new.transports, created_at=clock.now(),
    )  # fmt: skip
    audit.record(kind=AccountEvent.Kind.MFA_ENROLLED, user=user, request=request,
                 method=AccountEvent.Method.PASSKEY, passkey=name)  # fmt: skip
    return passkey


def passkey_used(*, passkey: Passkey, sign_count: int) -> None:
    Passkey.objects.filter(pk=passkey.pk).update(sign_count=sign_count, last_used=clock.now())


def remove_passkey(*, user, passkey_id: int, request: HttpRequest | None = None) -> bool:
    passkey = Passkey.objects.filter(user=user, pk=passkey_id).first()
    if passkey is None:
        return False
    passkey.delete()
    audit.record(kind=AccountEvent.Kind.MFA_RESET, user=user, request=request,
                 method=AccountEvent.Method.PASSKEY, reason="passkey removed by the user",
                 passkey=passkey.name)  # fmt: skip
    return True
