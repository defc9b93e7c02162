import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from .models import AccountEvent, OneTimeLink, PersonalToken, Profile, SessionRecord

CSV_FIELDS = ["at", "kind", "username", "method", "success", "reason", "ip", "user_agent",
              "detail"]  # fmt: skip


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(PersonalToken)
class PersonalTokenAdmin(admin.ModelAdmin):
    """Operators can see and revoke (delete) tokens; tokens are made by their owner or by
    ``manage.py create_token``, since the secret is shown only once."""

    list_display = ["name", "user", "prefix", "created", "last_used"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "name", "prefix", "created", "last_used"]
    exclude = ["digest"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The audit log is read-only for everyone, superusers included."""

    list_display = ["at", "kind", "username", "method", "success", "reason", "ip"]
    list_filter = ["kind", "method", "success"]
    search_fields = ["username", "reason", "ip"]
    date_hierarchy = "at"
    actions = ["export_csv"]

    @admin.action(description=_("Export as CSV"), permissions=["view"])
    def export_csv(self, request, queryset) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="account-events.csv"'
        response.write("\ufeff")  # spreadsheet programs then read the Khmer names right
        writer = csv.writer(response)
        writer.writerow(CSV_FIELDS)
        for event in queryset.order_by("at", "pk").iterator():
            writer.writerow([
                event.at.isoformat(), event.kind, event.username, event.method,
                "yes" if event.success else "no", event.reason, event.ip or "",
                event.user_agent, event.detail,
            ])  # fmt: skip
        return response

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OneTimeLink)
class OneTimeLinkAdmin(admin.ModelAdmin):
    """Invitation and reset links, read-only (the secret is never stored)."""

    list_display = ["kind", "user", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__email"]
    exclude = ["nonce"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SessionRecord)
class SessionRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "ip", "user_agent", "created_at", "last_seen"]
    search_fields = ["user__username", "ip"]
    exclude = ["session_key"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
