"""The account audit log: sign-ins (by method, success or failure with a reason), logouts,
second-factor enrolments and resets, invitations, deactivations. Rows are only ever added."""

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from collab.core import clock

from .models import AccountEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    kind: str,
    user: AbstractBaseUser | None = None,
    username: str = "",
    method: str = "",
    success: bool = True,
    reason: str = "",
    request: HttpRequest | None = None,
    **detail,
) -> AccountEvent:
    """Add one audit row. ``kind`` is one of ``AccountEvent.Kind``; ``method`` one of
    ``AccountEvent.Method`` (or empty); ``detail`` is kept as JSON."""
    if user is not None and not username:
        username = user.get_username()
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    return AccountEvent.objects.create(
        at=clock.now(),
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=username[:150],
        method=method,
        success=success,
        reason=reason[:200],
        ip=client_ip(request),
        user_agent=agent,
        detail=detail,
    )
