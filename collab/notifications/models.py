from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .registry import channel_names


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


NEEDS_ACK = {Urgency.URGENT, Urgency.CRITICAL}
# Urgent and critical notifications whose rule names no ladder (or that no rule governs)
# escalate on this one: the unit's on-call, then its head, then the parent unit's head.
DEFAULT_LADDER = (
    {"after_minutes": 10, "target": "next_on_call"},
    {"after_minutes": 20, "target": "unit_head"},
    {"after_minutes": 40, "target": "parent_unit_head"},
)


class EscalationTarget(models.TextChoices):
    NEXT_ON_CALL = "next_on_call", _("Next on-call specialist")
    UNIT_HEAD = "unit_head", _("Unit head")
    PARENT_UNIT_HEAD = "parent_unit_head", _("Parent unit head")


class Reach(models.TextChoices):
    """How a person was tried, at creation or by an escalation step (the history)."""

    IN_APP = "in_app", _("in the suite")
    EMAIL = "email", _("by email (no login)")
    ALREADY_NOTIFIED = "already notified", _("already notified")
    ALREADY_EMAILED = "already emailed", _("already emailed")
    UNREACHABLE = "unreachable", _("unreachable (no login, no email)")


CAN_ACT = {Reach.IN_APP, Reach.ALREADY_NOTIFIED}  # in the suite, so able to acknowledge


CONDITION_KEYS = {"urgency_in", "unit_kind_in", "specialty_in"}
EVENT_SPECIALTY = "*"


class Rule(models.Model):
    """Who hears about an event type, how urgently, on which channels, escalated how."""

    name = models.CharField(_("name"), max_length=200)
    event_type = models.CharField(
        _("event type"), max_length=64, db_index=True, help_text=_("e.g. referral.created")
    )
    active = models.BooleanField(_("active"), default=True)
    conditions = models.JSONField(
        _("conditions"),
        default=dict,
        blank=True,
        help_text=_(
            'Optional. e.g. {"urgency_in": ["urgent", "critical"], "unit_kind_in": ["hospital"]}'
        ),
    )
    role_tag = models.CharField(
        _("role tag"),
        max_length=64,
        blank=True,
        help_text=_("Holders of this role in the event's unit or its ancestors, e.g. approver"),
    )
    on_call_specialty = models.CharField(
        _("on-call specialty"),
        max_length=64,
        blank=True,
        help_text=_(
            "The specialist on call in the event's unit, e.g. paediatrics; * for the "
            "specialty the event names (a referral's)"
        ),
    )
    notify_unit_head = models.BooleanField(_("notify the unit head"), default=False)
    named_people = models.ManyToManyField(
        "directory.Person", verbose_name=_("named people"), blank=True, related_name="+"
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    channels = models.CharField(
        _("channels"),
        max_length=100,
        default="in_app email",
        help_text=_("Space-separated: in_app email"),
    )

    class Meta:
        ordering = ["event_type", "name"]
        verbose_name = _("notification rule")
        verbose_name_plural = _("notification rules")

    def __str__(self) -> str:
        return f"{self.event_type}: {self.name}"

    @property
    def channel_list(self) -> list[str]:
        return self.channels.split()

    def clean(self) -> None:
        unknown = [c for c in self.channel_list if c not in channel_names()]
        if unknown or not self.channel_list:
            raise ValidationError(
                {"channels": _("Unknown or missing channel. Choose from: %(names)s")
                 % {"names": ", ".join(channel_names())}}
            )
        if not isinstance(self.conditions, dict) or set(self.conditions) - CONDITION_KEYS:
            raise ValidationError(
                {"conditions": _("Conditions must be an object with keys from: %(keys)s")
                 % {"keys": ", ".join(sorted(CONDITION_KEYS))}}
            )
        for key, values in self.conditions.items():
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ValidationError(
                    {"conditions": _("%(key)s must be a list of strings.") % {"key": key}}
                )

    def matches(self, *, urgency: str, unit_kind: str | None, specialty: str = "") -> bool:
        checks = (("urgency_in", urgency), ("unit_kind_in", unit_kind),
                  ("specialty_in", specialty))
        return all(
            not self.conditions.get(key) or value in self.conditions[key]
            for key, value in checks
        )

    @property
    def has_recipient_source(self) -> bool:
        return bool(self.role_tag or self.on_call_specialty or self.notify_unit_head
                    or self.named_people.all())

    def specialty_for(self, event_specialty: str) -> str:
        if self.on_call_specialty == EVENT_SPECIALTY:
            return event_specialty
        return self.on_call_specialty

    def escalation_snapshot(self) -> list[dict]:
        return [
            {"after_minutes": s.after_minutes, "target": s.target}
            for s in self.escalation_steps.order_by("after_minutes", "pk")
        ]


class EscalationStep(models.Model):
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="escalation_steps")
    after_minutes = models.PositiveIntegerField(
        _("after minutes"), help_text=_("Minutes after the notification was created")
    )
    target = models.CharField(_("target"), max_length=20, choices=EscalationTarget.choices)

    class Meta:
        ordering = ["after_minutes"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")

    def __str__(self) -> str:
        return f"+{self.after_minutes} min → {self.get_target_display()}"


class Notification(models.Model):
    """One event as one rule sees it. Recipients and escalation are snapshots taken at
    creation so that editing the rule later cannot change an escalation in progress."""

    dedupe_key = models.CharField(max_length=255, unique=True, editable=False)
    event_type = models.CharField(_("event type"), max_length=64, db_index=True)
    event_key = models.CharField(_("event key"), max_length=200, db_index=True)
    rule = models.ForeignKey(
        Rule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.SET_NULL
    )
    org_unit = models.ForeignKey(
        "directory.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    message_en = models.CharField(_("message (English)"), max_length=500)
    message_km = models.CharField(_("message (Khmer)"), max_length=500)
    url = models.CharField(_("link"), max_length=500)
    channels = models.JSONField(default=list)
    specialty = models.CharField(max_length=64, blank=True)
    recipients = models.JSONField(_("resolved recipients"), default=list)
    escalation_policy = models.JSONField(_("escalation policy"), default=list)
    # The history: who was tried and how, first at creation (step 0), then at each step.
    escalation_log = models.JSONField(_("history"), default=list, blank=True)
    next_step = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)
    requires_ack = models.BooleanField(_("needs acknowledgement"), default=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_key}"

    def message(self, language: str) -> str:
        return self.message_km if language.startswith("km") and self.message_km else self.message_en


class Recipient(models.Model):
    """A user's inbox entry for a notification."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="inbox_entries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_inbox"
    )
    reason = models.CharField(_("reason"), max_length=64)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "user"], name="one_inbox_entry")
        ]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("inbox entry")
        verbose_name_plural = _("inbox entries")

    def __str__(self) -> str:
        return f"{self.user} ← {self.notification}"


class Delivery(models.Model):
    """Outbox row: one per (notification, recipient, channel); its key is the idempotency key."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (preference)")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    # An escalation reaching someone of the directory without a login: email only.
    person = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20)
    idempotency_key = models.CharField(max_length=255, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    digest = models.BooleanField(_("in a digest"), default=False)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_by = models.CharField(max_length=64, blank=True)
    claim_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    ack_link_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "user", "channel"], name="one_delivery_per_channel"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return self.idempotency_key


class DeliveryAttempt(models.Model):
    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        ERROR = "error", _("Error")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    worker = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery} {self.outcome} @ {self.at:%H:%M:%S}"


class DigestFrequency(models.TextChoices):
    NONE = "", _("No digest")
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")


class UserSettings(models.Model):
    """Quiet hours (local time) and digest frequency for routine items."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    digest = models.CharField(
        _("digest"), max_length=10, choices=DigestFrequency.choices, default="", blank=True
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValidationError(_("Give both the start and the end of quiet hours, or neither."))


class Preference(models.Model):
    """Per event type (blank: every type) and channel: immediately, in the digest, or never.
    Urgent and critical items ignore "digest" and "off" (they must reach someone)."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DIGEST = "digest", _("In the digest")
        OFF = "off", _("Off")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event_type = models.CharField(_("event type"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=20)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event_type", "channel"], name="one_preference"
            )
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.event_type or '*'} / {self.channel} = {self.mode}"
