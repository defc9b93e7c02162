"""The escalation ladder, fired by the worker on the suite clock."""

from datetime import timedelta

from django.db import transaction

from collab.core.clock import now

from . import routing
from .models import EscalationTarget, Notification
from .services import add_recipient, email_person

FALLBACK_TARGETS = (EscalationTarget.UNIT_HEAD, EscalationTarget.PARENT_UNIT_HEAD)


def _reach(notification: Notification, target: str, *, reason: str, at, tried: list) -> list:
    """Add the target's people: in the suite when they have a login, else by email when they
    have an address. Records each person tried; returns the users added in the suite."""
    notified_people = {r["person"] for r in notification.recipients}
    notified_users = set(notification.inbox_entries.values_list("user_id", flat=True))
    people = routing.escalation_recipients(
        target=target, unit=notification.org_unit, specialty=notification.specialty, at=at,
        exclude_person_ids=notified_people,
    )
    added = []
    for person in people:
        user = person.user
        if user is not None and user.is_active and user.pk in notified_users:
            outcome = "already notified"
        elif user is not None and user.is_active and person.active:
            add_recipient(notification=notification, user=user, reason=reason, at=at)
            notified_users.add(user.pk)
            added.append(user.pk)
            outcome = "in_app"
        elif person.email:
            email_person(notification=notification, person=person, at=at)
            outcome = "email"
        else:
            outcome = "unreachable"
        if outcome in ("in_app", "email"):
            notification.recipients.append(
                {"person": person.pk, "user": user.pk if outcome == "in_app" else None,
                 "reason": reason}
            )
        tried.append({"target": target, "person": person.pk, "name": str(person),
                      "outcome": outcome})
    return added


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
        if not any(t["outcome"] in ("in_app", "already notified") for t in tried):
            # Nobody of this step can act in the suite: the next people the ladder names
            # (then the unit head, then the parent unit's head) are added now.
            later = [s["target"] for s in notification.escalation_policy[index + 1:]]
            for target in [*later, *FALLBACK_TARGETS]:
                added = _reach(notification, target, reason=f"{reason}:fallback", at=at,
                               tried=tried)
                if added:
                    fallback = target
                    break
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
