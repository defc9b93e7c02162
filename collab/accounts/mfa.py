"""Second factor: who must use one, which factor a session passed, and the devices
(django-otp: TOTP authenticator apps and one-time recovery codes; passkeys: passkeys.py).

The contract with single sign-on: a session where ``request.session[SECOND_FACTOR]`` is set
has passed a second factor. We set it to "totp" or "recovery_code" after a verified code,
"passkey" after a passkey; SSO sets "sso" when the identity provider reports that it asked for one.
"""

from fnmatch import fnmatch

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Passkey

SECOND_FACTOR = "sahakar_second_factor"
# Between the password and the second factor: {"user": pk, "backend": path, "at": iso time}.
PENDING_LOGIN = "sahakar_pending_login"
RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def passed(request: HttpRequest) -> str:
    """The second factor this session passed ("" when none)."""
    return request.session.get(SECOND_FACTOR, "") if hasattr(request, "session") else ""


def _role_tags(user: AbstractBaseUser) -> set[str]:
    from collab.directory.selectors import person_for_user, positions_of_person

    person = person_for_user(user)
    if person is None:
        return set()
    return {tag for position in positions_of_person(person=person) for tag in position.tags}


def matches_policy(user: AbstractBaseUser, rules: list[str] | None = None) -> bool:
    """Whether one of the rules (``SAHAKAR_MFA_REQUIRED_FOR``) names this user."""
    rules = settings.SAHAKAR_MFA_REQUIRED_FOR if rules is None else rules
    tags: set[str] | None = None
    for rule in rules:
        kind, _sep, value = rule.partition(":")
        if (kind == "superuser" and user.is_superuser) or (kind == "staff" and user.is_staff):
            return True
        if kind == "perm" and value and user.has_perm(value):
            return True
        if kind == "group" and value and user.groups.filter(name=value).exists():
            return True
        if kind == "tag" and value:
            tags = _role_tags(user) if tags is None else tags
            if any(fnmatch(tag, value) for tag in tags):
                return True
    return False


def must_use_second_factor(user: AbstractBaseUser) -> bool:
    return bool(
        settings.SAHAKAR_MFA_ENFORCED and user.is_authenticated and matches_policy(user)
    )


def has_second_factor(user: AbstractBaseUser) -> bool:
    """An enrolled factor that is asked for at every password sign-in."""
    return has_passkey(user) or any(
        not isinstance(d, StaticDevice) for d in devices_for_user(user, confirmed=True)
    )


def has_passkey(user: AbstractBaseUser) -> bool:
    return Passkey.objects.filter(user=user).exists()


def totp_device(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp_device(user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows (kept between visits)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def verify(user: AbstractBaseUser, code: str) -> str:
    """The method a code passes ("totp" or "recovery_code"), or "" (throttled devices
    refuse even the right code until their delay is over)."""
    code = normalise_code(code)
    if not code:
        return ""
    if len(code) == 6 and code.isdigit():  # recovery codes have 8 characters
        device = totp_device(user)
        return "totp" if device is not None and device.verify_token(code) else ""
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):  # deletes the used code
            return "recovery_code"
    return ""


def new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes with ten new ones; shown once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes
