from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the stream is written by ``realtime.services.publish`` alone."""

    list_display = ["seq", "type", "user", "stream", "created"]
    list_filter = ["type"]
    search_fields = ["stream", "type", "user__username"]
    readonly_fields = ["seq", "type", "user", "stream", "payload", "created"]
    list_select_related = ["user"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
