from django.contrib import admin

from collab.search.models import GlossaryEntry, PendingIndexUpdate


@admin.register(PendingIndexUpdate)
class PendingIndexUpdateAdmin(admin.ModelAdmin):
    """Operators see (and may drop) what the worker has not indexed yet."""

    list_display = ["model", "object_id", "enqueued_at", "attempts"]
    list_filter = ["model"]
    readonly_fields = ["model", "object_id", "enqueued_at", "attempts"]

    def has_add_permission(self, request):
        return False


@admin.register(GlossaryEntry)
class GlossaryEntryAdmin(admin.ModelAdmin):
    """The bilingual medical glossary searches use (reviewed entries only)."""

    list_display = ["term_km", "term_en", "synonyms", "reviewed"]
    list_editable = ["reviewed"]
    list_filter = ["reviewed"]
    search_fields = ["term_km", "term_en", "synonyms"]
