from django.contrib import admin

from .models import Invitation, Meeting, Participant


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    autocomplete_fields = ["user"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    readonly_fields = ["updated"]
    autocomplete_fields = ["user"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "host", "scheduled_for", "lobby", "created", "ended"]
    list_filter = ["kind", "lobby"]
    search_fields = ["title", "host__username"]
    autocomplete_fields = ["host", "room"]
    inlines = [InvitationInline, ParticipantInline]
