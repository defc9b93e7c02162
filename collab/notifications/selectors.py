from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from collab.directory.models import Person

from .models import (
    CAN_ACT,
    EscalationTarget,
    Notification,
    Preference,
    Reach,
    Recipient,
    Urgency,
    UserSettings,
)


def unread_count(user) -> int:
    """The bell's number (the shell calls exactly this)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Recipient.objects.filter(user=user, read_at__isnull=True).count()


def inbox(
    *, user, unread: bool | None = None, needs_ack: bool | None = None,
    urgency: str | None = None,
) -> QuerySet[Recipient]:
    entries = Recipient.objects.filter(user=user).select_related("notification")
    if unread is not None:
        entries = entries.filter(read_at__isnull=unread)
    if needs_ack is not None:
        pending = {"notification__requires_ack": True,
                   "notification__acknowledged_at__isnull": True}
        entries = entries.filter(**pending) if needs_ack else entries.exclude(**pending)
    if urgency:
        entries = entries.filter(notification__urgency=urgency)
    return entries


def inbox_entry(*, user, notification_id: int) -> Recipient | None:
    return (
        Recipient.objects.select_related("notification")
        .filter(user=user, notification_id=notification_id)
        .first()
    )


def notification_item(entry: Recipient, language: str) -> dict:
    n = entry.notification
    return {
        "id": n.pk,
        "event_type": n.event_type,
        "urgency": n.urgency,
        "message": n.message(language),
        "url": n.url,
        "created_at": n.created_at.isoformat(),
        "read": entry.read_at is not None,
        "requires_ack": n.requires_ack,
        "acknowledged": n.acknowledged_at is not None,
    }


def new_notification_frame(notification: Notification, *, user) -> dict:
    """Payload of a "notification.new" event (both languages: the client picks)."""
    return {
        "id": notification.pk,
        "event_type": notification.event_type,
        "urgency": notification.urgency,
        "message": {"en": notification.message_en, "km": notification.message_km},
        "url": notification.url,
        "requires_ack": notification.requires_ack,
        "unread_count": unread_count(user),
    }


def delivery_modes(
    *, user, event_type: str, channels: list[str], urgency: str,
    settings: UserSettings | None,
) -> dict[str, str]:
    """channel → immediate, digest or off. Urgent and critical are always immediate.
    Without a preference, a user with a digest frequency gets routine items in it."""
    if urgency != Urgency.ROUTINE:
        return dict.fromkeys(channels, Preference.Mode.IMMEDIATE)
    prefs = {
        (p.channel, p.event_type): p.mode
        for p in Preference.objects.filter(
            user=user, channel__in=channels, event_type__in=[event_type, ""]
        )
    }
    default = Preference.Mode.DIGEST if settings and settings.digest else "immediate"
    return {
        c: prefs.get((c, event_type)) or prefs.get((c, "")) or default for c in channels
    }


def user_settings(user) -> UserSettings | None:
    return UserSettings.objects.filter(user=user).first()



def history(notification: Notification) -> list[dict]:
    """Who was tried and how, at creation and at each escalation step (for the history
    page and the admin): labels in the active language."""
    targets, outcomes = dict(EscalationTarget.choices), dict(Reach.choices)
    # The log keeps each person's name as it was; show it as the directory names them now,
    # in the reader's language (the stored name if the person is gone).
    people = Person.objects.in_bulk({
        t["person"] for e in notification.escalation_log for t in e.get("tried", [])
        if t.get("person")
    })
    rows = []
    for entry in notification.escalation_log:
        step, tried = entry["step"], entry.get("tried", [])
        rows.append({
            "at": parse_datetime(entry["fired_at"]),
            "what": (_("Escalation step %(n)s: %(target)s")
                     % {"n": step, "target": targets.get(entry["target"], entry["target"])}
                     if step else _("Created")),
            "fallback": targets.get(entry.get("fallback") or "", ""),
            "tried": [
                {"name": people[t["person"]].name() if t.get("person") in people else t["name"],
                 "outcome": outcomes.get(t["outcome"], t["outcome"]),
                 "target": targets.get(t["target"], "") if t["target"] != entry["target"]
                 else ""}
                for t in tried
            ],
            "nobody": not any(t["outcome"] in CAN_ACT for t in tried),
        })
    return rows
