from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import Assignment, Attempt, Certificate, Enrolment
from .services.assignments import sync_assignment
from .services.certificates import revoke_certificate


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["course", "unit", "role_tag", "person", "due_date", "mandatory", "active"]
    list_filter = ["mandatory", "active"]
    raw_id_fields = ["course", "unit", "person"]
    readonly_fields = ["assigned_by", "created_at"]
    actions = ["sync_now"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.assigned_by = request.user
        super().save_model(request, obj, form, change)
        sync_assignment(assignment=obj, initial=not change)

    @admin.action(description=_("Enrol newcomers now"))
    def sync_now(self, request, queryset):
        n = sum(len(sync_assignment(assignment=a)) for a in queryset)
        self.message_user(request, _("%(n)d people enrolled.") % {"n": n})


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["person", "course", "source", "mandatory", "due_date", "completed_at"]
    list_filter = ["source", "mandatory"]
    search_fields = ["person__family_name_en", "person__given_name_en", "person__employee_id"]
    raw_id_fields = ["person", "course", "assignment"]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["person", "quiz", "number", "started_at", "submitted_at", "score"]
    search_fields = ["person__family_name_en", "person__employee_id"]
    readonly_fields = [f.name for f in Attempt._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "course_title", "issued_at", "expires_at", "revoked_at"]
    search_fields = ["code", "name_en", "name_km"]
    readonly_fields = [
        "code",
        "person",
        "course",
        "name_km",
        "name_en",
        "course_title",
        "score",
        "issued_at",
        "revoked_at",
    ]
    fields = [*readonly_fields, "expires_at", "revoked_reason"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if obj.revoked_reason and not obj.revoked_at:
            revoke_certificate(certificate=obj, reason=obj.revoked_reason)
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected certificates"))
    def revoke(self, request, queryset):
        for certificate in queryset:
            revoke_certificate(
                certificate=certificate,
                reason=certificate.revoked_reason or str(_("Revoked by an administrator")),
            )
        self.message_user(request, _("Revoked."), messages.SUCCESS)
