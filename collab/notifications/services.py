"""Notifications: the one entry point other apps call is ``emit``.

    emit(
        event_type="referral.created",          # matches admin-edited rules
        event_key="referral:42",                # idempotency: one per event
        org_unit=unit_or_None,                  # where the event happened (for routing)
        people=[person, ...],                   # direct recipients, besides the rules'
        message=Text(_("New referral from %(unit)s"), unit=unit.name),
                                                # what happened, no patient data: a lazy
                                                # gettext string (with %-params), rendered
                                                # here in every language of LANGUAGES
        url="/health/referrals/42/",            # where to act
        urgency=None,                           # None: the rule's; else routine/urgent/critical
        specialty="",                           # optional: for rules routing to "*" on call
        channels=None,                          # optional: the direct recipients' channels
    )

Call it inside the transaction of the write that causes it (transactional outbox): the
notification, its inbox entries, the in-app events and the email outbox rows commit or
roll back with the caller's write. The worker sends the emails (see ``delivery``).
"""

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import override

from collab.core.clock import now
from realtime.services import publish

from . import routing, timing
from .channels import get_channel
from .emails import ACK_SALT
from .models import (
    DEFAULT_LADDER,
    NEEDS_ACK,
    Delivery,
    DeliveryAttempt,
    Notification,
    Reach,
    Recipient,
    Rule,
    Urgency,
    UserSettings,
)
from .selectors import delivery_modes, unread_count, user_settings

logger = logging.getLogger(__name__)

DIRECT_CHANNELS = ["in_app", "email"]

ACK_LINK_MAX_AGE = timedelta(days=7)


class AckLinkInvalid(Exception):
    """``code`` is "invalid" (bad, expired or unknown) or "used" (single use)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class Text:
    """A notification's words: a lazy gettext string and its %-parameters, each a plain
    value, a lazy string or a callable (called under each language, e.g. a date format).
    ``emit`` renders it once per language; the translations live in the app's .po file."""

    def __init__(self, text: Promise | str, **params: Any) -> None:
        self.text, self.params = text, params

    def render(self, language: str) -> str:
        with override(language):
            text = str(self.text)
            if not self.params:
                return text
            return text % {k: _param(v) for k, v in self.params.items()}


def _param(value: Callable[[], Any] | Any) -> str:
    return str(value() if callable(value) else value)


def rendered(message: "Text | Promise | dict[str, str]") -> dict[str, str]:
    """Every language of the suite. A dict of already rendered texts is taken as it is."""
    if isinstance(message, dict):
        return message
    text = message if isinstance(message, Text) else Text(message)
    return {code: text.render(code) for code, _name in settings.LANGUAGES}


def emit(
    *,
    event_type: str,
    event_key: str,
    org_unit=None,
    people: Sequence = (),
    message: "Text | Promise | dict[str, str]",
    url: str,
    urgency: str | None = None,
    specialty: str = "",
    channels: Sequence[str] | None = None,
    ladder: Sequence[dict] | None = None,
) -> list[Notification]:
    """Create the notifications an event causes (idempotent per event_key).

    ``ladder`` (optional, ``[{"after_minutes", "target"}]``) is the escalation ladder of the
    direct recipients' notification; given, it escalates whatever its urgency (a routine one
    keeps quiet hours and digests), until ``stop_escalation``."""
    if urgency is not None and urgency not in Urgency.values:
        raise ValueError(f"unknown urgency {urgency!r}")
    message = rendered(message)
    at = now()
    created: list[Notification] = []
    covered: set[int] = set()
    with transaction.atomic():
        rules = (
            Rule.objects.filter(active=True, event_type=event_type)
            .prefetch_related("named_people", "escalation_steps")
            .order_by("pk")
        )
        for rule in rules:
            level = urgency or rule.urgency
            if not rule.matches(urgency=level, unit_kind=getattr(org_unit, "kind", None),
                                specialty=specialty):
                continue
            rule_specialty = rule.specialty_for(specialty)
            recipients = routing.rule_recipients(
                rule=rule, unit=org_unit, at=at, specialty=rule_specialty, people=people
            )
            notification = _create(
                dedupe_key=f"{event_key}#rule-{rule.pk}", event_type=event_type,
                event_key=event_key, rule=rule, org_unit=org_unit, urgency=level,
                message=message, url=url, channels=rule.channel_list,
                specialty=rule_specialty, recipients=recipients,
                policy=rule.escalation_snapshot() if level in NEEDS_ACK else [], at=at,
            )
            covered.update(p.pk for p, _ in recipients)
            if notification:
                created.append(notification)
        direct = [(p, "direct") for p in people if p.pk not in covered]
        if direct:
            notification = _create(
                dedupe_key=f"{event_key}#direct", event_type=event_type, event_key=event_key,
                rule=None, org_unit=org_unit, urgency=urgency or Urgency.ROUTINE,
                message=message, url=url, channels=list(channels or DIRECT_CHANNELS), specialty="",
                recipients=direct, policy=list(ladder or []), at=at,
            )
            if notification:
                created.append(notification)
    return created


def _create(
    *, dedupe_key, event_type, event_key, rule, org_unit, urgency, message, url, channels,
    specialty, recipients, policy, at,
) -> Notification | None:
    if Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    requires_ack = urgency in NEEDS_ACK
    if requires_ack:
        policy = policy or list(DEFAULT_LADDER)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                dedupe_key=dedupe_key, event_type=event_type, event_key=event_key, rule=rule,
                org_unit=org_unit, urgency=urgency, message_en=message.get("en", ""),
                message_km=message.get("km") or message.get("en", ""), url=url,
                channels=list(channels), specialty=specialty, recipients=[],
                escalation_policy=policy, requires_ack=requires_ack,
                next_escalation_at=at + timedelta(minutes=policy[0]["after_minutes"])
                if policy else None,
                created_at=at,
            )
    except IntegrityError:
        return None  # the same event submitted concurrently: the other copy won
    tried: list[dict] = []
    users = reach(notification, list(_unique(recipients)), target="", at=at, tried=tried,
                  email="email" in notification.channels)
    notification.escalation_log = [
        {"step": 0, "target": "", "fired_at": at.isoformat(), "users": users, "tried": tried,
         "fallback": None}
    ]
    if not users:
        logger.warning("notification %s (%s) reaches nobody in the suite: %s",
                       notification.pk, event_type, tried or "nobody resolved")
        if policy:  # nobody can acknowledge it: the ladder starts now, not in minutes
            notification.next_escalation_at = at
    notification.save(update_fields=["recipients", "escalation_log", "next_escalation_at"])
    return notification


def reach(notification: Notification, people, *, target: str, at, tried: list,
          email: bool = True) -> list[int]:
    """Add ``people`` ((person, reason) pairs) to the notification: in the suite when they
    have an active login, else by email (no acknowledgement link) when they have an address.
    Appends to ``tried`` how each was reached; returns the users added in the suite. The
    caller saves ``notification.recipients``."""
    known = {r["person"]: r["user"] for r in notification.recipients}
    in_suite = set(notification.inbox_entries.values_list("user_id", flat=True))
    added = []
    for person, reason in people:
        user = person.user
        can_log_in = user is not None and user.is_active and person.active
        if can_log_in and user.pk in in_suite:
            outcome = Reach.ALREADY_NOTIFIED
        elif person.pk in known:
            outcome = Reach.ALREADY_EMAILED
        elif can_log_in:
            add_recipient(notification=notification, user=user, reason=reason, at=at)
            in_suite.add(user.pk)
            added.append(user.pk)
            outcome = Reach.IN_APP
        elif email and person.email:
            email_person(notification=notification, person=person, at=at)
            outcome = Reach.EMAIL
        else:
            outcome = Reach.UNREACHABLE
        if person.pk not in known:
            known[person.pk] = user.pk if outcome == Reach.IN_APP else None
            notification.recipients.append(
                {"person": person.pk, "user": known[person.pk], "reason": reason}
            )
        tried.append({"target": target, "person": person.pk, "name": str(person),
                      "outcome": str(outcome)})
    return added


def _unique(recipients):
    seen: set[int] = set()
    for person, reason in recipients:
        if person.pk not in seen:
            seen.add(person.pk)
            yield person, reason


def idempotency_key(*, notification: Notification, user_id: int, channel: str) -> str:
    raw = f"{notification.dedupe_key}|{user_id}|{channel}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def add_recipient(*, notification: Notification, user, reason: str, at) -> Recipient:
    entry = Recipient.objects.create(
        notification=notification, user=user, reason=reason, created_at=at
    )
    routine = notification.urgency == Urgency.ROUTINE
    prefs = user_settings(user) if routine else None
    modes = delivery_modes(
        user=user, event_type=notification.event_type, channels=notification.channels,
        urgency=notification.urgency, settings=prefs,
    )
    for channel in notification.channels:
        backend = get_channel(channel)
        delivery = Delivery(
            notification=notification, user=user, channel=channel, next_attempt_at=at,
            idempotency_key=idempotency_key(
                notification=notification, user_id=user.pk, channel=channel
            ),
        )
        if backend.transactional:
            delivery.save()  # due now, whatever the preferences, quiet hours and digests
        elif modes[channel] == "off":
            delivery.status = Delivery.Status.SKIPPED
            delivery.save()
        elif backend.inline:
            delivery.status, delivery.sent_at, delivery.attempts = Delivery.Status.SENT, at, 1
            delivery.save()
            backend.deliver(delivery)
            DeliveryAttempt.objects.create(
                delivery=delivery, at=at, outcome=DeliveryAttempt.Outcome.SENT
            )
        else:
            if routine:
                digest = modes[channel] == "digest" and backend.supports_digest
                delivery.digest = digest
                delivery.next_attempt_at = timing.routine_send_at(at, prefs, digest=digest)
            delivery.save()
    return entry


def email_person(*, notification: Notification, person, at) -> Delivery:
    """An email outbox row for someone of the directory who has no login (an escalation
    step must still reach them); sent by the worker like any other, without an ack link."""
    key = hashlib.sha256(
        f"{notification.dedupe_key}|person-{person.pk}|email".encode()
    ).hexdigest()[:40]
    delivery, _created = Delivery.objects.get_or_create(
        idempotency_key=key,
        defaults={"notification": notification, "person": person, "channel": "email",
                  "next_attempt_at": at},
    )
    return delivery


def stop_escalation(*, event_keys: Sequence[str]) -> int:
    """The events are settled (e.g. a workflow step was decided): their ladders stop.
    Returns how many notifications were still escalating."""
    return Notification.objects.filter(
        event_key__in=list(event_keys), next_escalation_at__isnull=False
    ).update(next_escalation_at=None)


def acknowledge(*, notification: Notification, user) -> bool:
    """Stop the escalation. Returns False if someone had already acknowledged it."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        is_recipient = Recipient.objects.filter(notification=locked, user=user).exists()
        if not is_recipient:
            raise PermissionDenied("Only a recipient can acknowledge this notification.")
        _mark_read(user=user, ids=[locked.pk], at=now())
        if locked.acknowledged_at:
            return False
        locked.acknowledged_at, locked.acknowledged_by = now(), user
        locked.next_escalation_at = None
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "next_escalation_at"])
        for other in locked.inbox_entries.exclude(user=user).values_list("user_id", flat=True):
            publish(
                type="notification.acknowledged",
                payload={"id": locked.pk, "by": user.get_full_name() or user.get_username()},
                user_id=other,
            )
    notification.acknowledged_at = locked.acknowledged_at
    return True


def acknowledge_with_link(*, token: str) -> Notification:
    """The signed link in an email: valid once, for a week."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=ACK_LINK_MAX_AGE)
    except signing.BadSignature as exc:
        raise AckLinkInvalid("invalid") from exc
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification", "user")
            .filter(pk=data.get("d"))
            .first()
        )
        if delivery is None:
            raise AckLinkInvalid("invalid")
        if delivery.ack_link_used_at:
            raise AckLinkInvalid("used")
        delivery.ack_link_used_at = now()
        delivery.save(update_fields=["ack_link_used_at"])
        acknowledge(notification=delivery.notification, user=delivery.user)
    return delivery.notification


def mark_read(*, user, ids: Sequence[int] | None = None) -> int:
    """Mark some (or, with ids=None, all) of a user's notifications read."""
    with transaction.atomic():
        return _mark_read(user=user, ids=ids, at=now())


def _mark_read(*, user, ids, at) -> int:
    entries = Recipient.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        entries = entries.filter(notification_id__in=list(ids))
    changed = list(entries.values_list("notification_id", flat=True))
    if changed:
        entries.update(read_at=at)
        publish(
            type="notification.read",
            payload={"ids": changed, "unread_count": unread_count(user)},
            user_id=user.pk,
        )
    return len(changed)


def save_settings(*, user, quiet_start, quiet_end, digest: str) -> UserSettings:
    if (quiet_start is None) != (quiet_end is None):
        raise ValueError("quiet hours need both a start and an end")
    row, _ = UserSettings.objects.update_or_create(
        user=user,
        defaults={"quiet_start": quiet_start, "quiet_end": quiet_end, "digest": digest},
    )
    return row
