"""Notifications: the one entry point other apps call is ``emit``.

Interface fixed for all apps (the notifications work fills in the body):

    emit(
        event_type="referral.created",          # matches admin-edited rules
        event_key="referral:42",                # idempotency: one per event
        org_unit=unit_or_None,                  # where the event happened (for routing)
        people=[person, ...],                   # direct recipients, besides the rules'
        message={"en": "...", "km": "..."},     # what happened, no patient data
        url="/health/referrals/42/",            # where to act
        urgency=None,                           # None: the rule's; else routine/urgent/critical
    )

Call it inside the transaction of the write that causes it (transactional outbox).
"""

from collections.abc import Sequence


def emit(
    *,
    event_type: str,
    event_key: str,
    org_unit=None,
    people: Sequence = (),
    message: dict[str, str],
    url: str,
    urgency: str | None = None,
) -> list:
    raise NotImplementedError("collab.notifications.services.emit is being built")
