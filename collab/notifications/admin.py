from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import (
    Delivery,
    DeliveryAttempt,
    EscalationStep,
    Notification,
    Preference,
    Recipient,
    Rule,
    UserSettings,
)


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 1


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["event_type", "name", "urgency", "on_call_specialty", "role_tag",
                    "notify_unit_head", "channels", "active"]
    list_filter = ["event_type", "urgency", "active"]
    search_fields = ["name", "event_type", "role_tag", "on_call_specialty"]
    filter_horizontal = ["named_people"]
    inlines = [EscalationStepInline]


class RecipientInline(admin.TabularInline):
    model = Recipient
    extra = 0
    readonly_fields = ["user", "reason", "read_at", "created_at"]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["event_type", "event_key", "urgency", "created_at", "acknowledged_at",
                    "next_escalation_at"]
    list_filter = ["event_type", "urgency", "requires_ack"]
    search_fields = ["event_key", "event_type"]
    readonly_fields = [*(f.name for f in Notification._meta.fields), "history"]
    inlines = [RecipientInline]
    date_hierarchy = "created_at"

    @admin.display(description=_("Who was notified"))
    def history(self, obj: Notification) -> str:
        return render_to_string("notifications/history_rows.html",
                                {"rows": selectors.history(obj)})


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = ["worker", "at", "outcome", "detail"]
    can_delete = False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["idempotency_key", "channel", "user", "status", "digest", "attempts",
                    "next_attempt_at", "sent_at"]
    list_filter = ["channel", "status", "digest"]
    search_fields = ["idempotency_key", "user__username"]
    readonly_fields = ["notification", "user", "channel", "idempotency_key", "attempts",
                       "claimed_by", "claim_until", "sent_at", "last_error", "ack_link_used_at"]
    inlines = [AttemptInline]
    actions = ["retry_now"]

    @admin.action(description=_("Retry now"))
    def retry_now(self, request, queryset):
        from collab.core.clock import now

        queryset.exclude(status=Delivery.Status.SENT).update(
            status=Delivery.Status.PENDING, next_attempt_at=now(), attempts=0
        )


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(admin.ModelAdmin):
    list_display = ["delivery", "worker", "at", "outcome"]
    list_filter = ["outcome"]
    readonly_fields = ["delivery", "worker", "at", "outcome", "detail"]


@admin.register(UserSettings)
class UserSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "quiet_start", "quiet_end", "digest"]
    search_fields = ["user__username"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "event_type", "channel", "mode"]
    list_filter = ["channel", "mode"]
    search_fields = ["user__username", "event_type"]


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["notification", "user", "reason", "read_at", "created_at"]
    search_fields = ["user__username", "notification__event_key"]
    readonly_fields = ["notification", "user", "reason", "read_at", "created_at"]
