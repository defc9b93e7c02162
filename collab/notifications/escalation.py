"""The escalation ladder, fired by the worker on the suite clock."""

import logging
from datetime import timedelta

from django.db import transaction

from collab.core.clock import now

from . import routing
from .models import CAN_ACT, EscalationTarget, Notification
from .services import reach

logger = logging.getLogger(__name__)

FALLBACK_TARGETS = (EscalationTarget.UNIT_HEAD, EscalationTarget.PARENT_UNIT_HEAD)


def _reach(notification: Notification, target: str, *, reason: str, at, tried: list) -> list:
    people = routing.escalation_recipients(
        target=target, unit=notification.org_unit, specialty=notification.specialty, at=at,
        exclude_person_ids={r["person"] for r in notification.recipients},
    )
    return reach(notification, [(p, reason) for p in people], target=target, at=at,
                 tried=tried)


def escalate_due(*, limit: int = 100) -> int:
    at = now()
    due = list(
        Notification.objects.filter(acknowledged_at__isnull=True, next_escalation_at__lte=at)
        .order_by("next_escalation_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(fire_next_step(notification_id=pk) for pk in due)


def fire_next_step(*, notification_id: int) -> bool:
    at = now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("org_unit__parent")
            .filter(pk=notification_id, acknowledged_at__isnull=True,
                    next_escalation_at__lte=at)
            .first()
        )
        if notification is None:
            return False
        index = notification.next_step
        step = notification.escalation_policy[index]
        reason = f"escalation:{index + 1}"
        tried: list[dict] = []
        added = _reach(notification, step["target"], reason=reason, at=at, tried=tried)
        fallback = None
        if not any(t["outcome"] in CAN_ACT for t in tried):
            # Nobody of this step can act in the suite: the next people the ladder names
            # (then the unit head, then the parent unit's head) are added now.
            later = [s["target"] for s in notification.escalation_policy[index + 1:]]
            for target in dict.fromkeys([*later, *FALLBACK_TARGETS]):
                if target == step["target"]:
                    continue
                added = _reach(notification, target, reason=f"{reason}:fallback", at=at,
                               tried=tried)
                if added:
                    fallback = target
                    break
        if not any(t["outcome"] in CAN_ACT for t in tried):
            logger.warning(
                "escalation step %s of notification %s (%s) reaches nobody in the suite: %s",
                index + 1, notification.pk, notification.event_type, tried or "nobody resolved",
            )
        notification.escalation_log.append({
            "step": index + 1,
            "target": step["target"],
            "due_at": notification.next_escalation_at.isoformat(),
            "fired_at": at.isoformat(),
            "users": added,
            "tried": tried,
            "fallback": fallback,
        })
        notification.next_step = index + 1
        following = notification.escalation_policy[index + 1:index + 2]
        notification.next_escalation_at = (
            notification.created_at + timedelta(minutes=following[0]["after_minutes"])
            if following else None
        )
        notification.save(update_fields=[
            "recipients", "escalation_log", "next_step", "next_escalation_at",
        ])
    return True
