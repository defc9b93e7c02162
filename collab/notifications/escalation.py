"""The escalation ladder, fired by the worker on the suite clock."""

from datetime import timedelta

from django.db import transaction

from collab.core.clock import now

from . import routing
from .models import Notification
from .services import add_recipient


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
        notified_people = {r["person"] for r in notification.recipients}
        notified_users = set(notification.inbox_entries.values_list("user_id", flat=True))
        people = routing.escalation_recipients(
            target=step["target"], unit=notification.org_unit,
            specialty=notification.specialty, at=at, exclude_person_ids=notified_people,
        )
        added = []
        for person in people:
            user = person.user
            if user is None or not user.is_active or user.pk in notified_users:
                continue
            add_recipient(
                notification=notification, user=user, reason=f"escalation:{index + 1}", at=at
            )
            notified_users.add(user.pk)
            notification.recipients.append(
                {"person": person.pk, "user": user.pk, "reason": f"escalation:{index + 1}"}
            )
            added.append(user.pk)
        notification.escalation_log.append({
            "step": index + 1,
            "target": step["target"],
            "due_at": notification.next_escalation_at.isoformat(),
            "fired_at": at.isoformat(),
            "users": added,
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
