from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from collab.health.services import audit_read

from .models import (
    Appointment,
    ConsultationNote,
    NoteRevision,
    PatientLink,
    Recording,
    RecordingConsent,
)


class PatientLinkInline(admin.TabularInline):
    model = PatientLink
    extra = 0
    fields = ("expires_at", "used_at", "revoked_at", "guest")
    readonly_fields = ("used_at", "guest")
    can_delete = False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("pk", "scheduled_for", "patient", "doctor", "status")
    list_filter = ("status",)
    search_fields = ("patient__health_id", "doctor__employee_id", "doctor__family_name_en")
    raw_id_fields = ("patient", "doctor", "referring_worker", "meeting")
    date_hierarchy = "scheduled_for"
    inlines = [PatientLinkInline]


class NoteRevisionInline(admin.TabularInline):
    model = NoteRevision
    extra = 0
    readonly_fields = ("version", "content", "reason", "signed_by", "signed_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsultationNote)
class ConsultationNoteAdmin(admin.ModelAdmin):
    """Read-only: a note changes only by a signed amendment from the treating doctor."""

    list_display = ("appointment", "version", "signed_by", "signed_at")
    readonly_fields = ("appointment", "subjective", "objective", "assessment", "plan",
                       "signed_by", "signed_at", "version")
    inlines = [NoteRevisionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        note = self.get_object(request, object_id)
        if note is not None:
            audit_read(user=request.user, obj=note, action="admin view")
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecordingConsent)
class RecordingConsentAdmin(admin.ModelAdmin):
    list_display = ("appointment", "role", "user", "given_at", "withdrawn_at")
    list_filter = ("role",)
    raw_id_fields = ("appointment", "user")


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    """Rows only: the file is played through the audited recording page."""

    list_display = ("appointment", "started_by", "started_at", "ended_at", "size")
    readonly_fields = ("appointment", "play", "started_by", "started_at", "ended_at", "size")

    @admin.display(description=_("file"))
    def play(self, obj: Recording) -> str:
        if not obj.file:
            return "—"
        url = reverse("consultations:recording", args=[obj.key])
        return format_html('<a href="{}">{}</a>', url, _("Play (audited)"))

    def has_add_permission(self, request) -> bool:
        return False
