from django.contrib import admin

from collab.search.models import PendingIndexUpdate


@admin.register(PendingIndexUpdate)
class PendingIndexUpdateAdmin(admin.ModelAdmin):
    """Operators see (and may drop) what the worker has not indexed yet."""

    list_display = ["model", "object_id", "enqueued_at", "attempts"]
    list_filter = ["model"]
    readonly_fields = ["model", "object_id", "enqueued_at", "attempts"]

    def has_add_permission(self, request):
        return False
