from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .export import room_archive
from .models import Attachment, Membership, Message, MessageEdit, Room


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "muted", "via_unit", "last_read_id"]
    readonly_fields = ["via_unit", "last_read_id"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "org_unit", "archived", "retention_days", "legal_hold"]
    list_filter = ["kind", "archived", "legal_hold"]
    search_fields = ["name", "topic", "org_unit__code", "org_unit__name_en"]
    autocomplete_fields = ["org_unit"]
    readonly_fields = ["created_by", "created"]
    fields = [
        "kind",
        "name",
        "topic",
        "description",
        "org_unit",
        "include_subunits",
        "archived",
        "retention_days",
        "legal_hold",
        "created_by",
        "created",
    ]
    inlines = [MembershipInline]
    actions = ["export_zip", "sync_with_directory"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.kind == Room.Kind.UNIT and obj.org_unit_id:
            services.sync_unit_channel(room=obj)

    @admin.action(description=_("Export as zip (messages JSON and files)"))
    def export_zip(self, request, queryset):
        data = room_archive(queryset.order_by("pk"))
        response = HttpResponse(data, content_type="application/zip")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="chat-export-{stamp}.zip"'
        return response

    @admin.action(description=_("Sync org-unit channels with the directory"))
    def sync_with_directory(self, request, queryset):
        changed = sum(sum(services.sync_unit_channel(room=r)) for r in queryset)
        self.message_user(
            request,
            ngettext("%(n)d membership changed.", "%(n)d memberships changed.", changed)
            % {"n": changed},
            messages.SUCCESS,
        )


class MessageEditInline(admin.TabularInline):
    model = MessageEdit
    extra = 0
    can_delete = False
    readonly_fields = ["body", "edited"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    readonly_fields = ["name", "content_type", "size", "file"]
    exclude = ["thumbnail", "room"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["pk", "room", "author", "created", "edited", "deleted"]
    list_filter = ["room__kind"]
    search_fields = ["body", "author__username"]
    list_select_related = ["room", "author"]
    readonly_fields = [
        "room",
        "author",
        "client_id",
        "body",
        "body_html",
        "thread",
        "seq",
        "created",
        "edited",
        "deleted",
        "mentions",
        "mentions_room",
        "pinned_at",
        "pinned_by",
    ]
    inlines = [MessageEditInline, AttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting goes through moderators (tombstone) or retention, which remove files too.
        return False
