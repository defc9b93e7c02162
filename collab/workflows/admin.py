from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import engine
from .forms import check_fields
from .models import Definition, Entry, Request, Step, Version
from .services import publish_version


class VersionInline(admin.TabularInline):
    model = Version
    fields = ["number", "process_id", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Definition)
class DefinitionAdmin(admin.ModelAdmin):
    list_display = ["key", "name_en", "name_km", "active", "scope"]
    list_filter = ["active"]
    search_fields = ["key", "name_en", "name_km"]
    raw_id_fields = ["scope"]
    inlines = [VersionInline]


class VersionForm(forms.ModelForm):
    class Meta:
        model = Version
        fields = ["definition", "process_id", "bpmn", "form"]

    def clean(self):
        data = super().clean()
        problems = engine.check(data.get("bpmn", ""), data.get("process_id", ""))
        problems += check_fields(data.get("form"))
        if problems:
            raise ValidationError(problems)
        return data


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    """Add-only: a published version never changes (requests run under it)."""

    form = VersionForm
    list_display = ["definition", "number", "process_id", "created_at"]
    list_filter = ["definition"]

    def get_readonly_fields(self, request, obj=None):
        return ["definition", "number", "process_id", "bpmn", "form", "created_at"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            saved = publish_version(definition=obj.definition, bpmn=obj.bpmn,
                                    process_id=obj.process_id, form=obj.form)
            obj.pk, obj.number, obj.created_at = saved.pk, saved.number, saved.created_at


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Request)
class RequestAdmin(ReadOnly):
    list_display = ["pk", "version", "requester", "unit", "status", "created_at"]
    list_filter = ["status", "version__definition"]
    exclude = ["engine_state"]


@admin.register(Step)
class StepAdmin(ReadOnly):
    list_display = ["pk", "request", "task_name", "role", "unit", "status", "opened_at"]
    list_filter = ["status", "role"]


@admin.register(Entry)
class EntryAdmin(ReadOnly):
    list_display = ["request", "kind", "person", "at"]
    list_filter = ["kind"]


# Registries, decision documents and files (appended with docs/workflows.md's section).
from .models import Attachment, DecisionDocument, Paperwork, RegistryNumber  # noqa: E402


@admin.register(Paperwork)
class PaperworkAdmin(admin.ModelAdmin):
    list_display = ["definition", "registry_prefix", "requester_public"]


@admin.register(RegistryNumber)
class RegistryNumberAdmin(ReadOnly):
    list_display = ["__str__", "request"]
    list_filter = ["prefix", "year"]


@admin.register(DecisionDocument)
class DecisionDocumentAdmin(ReadOnly):
    list_display = ["code", "request", "issued_at"]
    search_fields = ["code"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnly):
    list_display = ["name", "request", "content_type", "size", "uploaded_by", "at"]
