from django.contrib import admin

from .models import AuditEntry, LabResult, Patient, Referral


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["health_id", "family_name_latin", "given_name_latin", "sex", "birth_date"]
    search_fields = ["health_id", "family_name_latin", "given_name_latin", "family_name_km",
                     "given_name_km"]
    list_filter = ["sex"]
    raw_id_fields = ["home_unit"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["pk", "patient", "from_unit", "to_unit", "specialty", "urgency", "status",
                    "created_at"]
    list_filter = ["status", "urgency", "specialty"]
    search_fields = ["patient__health_id", "from_unit__code", "to_unit__code"]
    raw_id_fields = ["patient", "from_unit", "to_unit", "referred_by", "handled_by"]


@admin.register(LabResult)
class LabResultAdmin(admin.ModelAdmin):
    list_display = ["pk", "patient", "test_code", "value", "abnormal", "ordering_doctor",
                    "reported_at"]
    list_filter = ["abnormal", "test_code"]
    search_fields = ["patient__health_id", "test_code", "external_id"]
    raw_id_fields = ["patient", "ordering_doctor", "lab_unit", "submitted_by"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited."""

    list_display = ["at", "user", "action", "object_repr", "patient"]
    list_filter = ["action", "content_type"]
    search_fields = ["user__username", "patient__health_id", "object_repr"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
