from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from collab.accounts.admin_actions import invite_people, reset_people_second_factor
from collab.directory.models import OnCallShift, OrgUnit, Person, Position


class PositionInline(admin.TabularInline):
    model = Position
    fk_name = "unit"
    extra = 0
    fields = (
        "title_en", "title_km", "holder", "acting_holder", "acting_from", "acting_until",
        "role_tags",
    )  # fmt: skip
    autocomplete_fields = ("holder", "acting_holder")
    show_change_link = True


class OnCallShiftInline(admin.TabularInline):
    model = OnCallShift
    fk_name = "unit"
    extra = 0
    fields = ("specialty", "person", "starts_at", "ends_at")
    autocomplete_fields = ("person",)


class HeldPositionInline(admin.TabularInline):
    model = Position
    fk_name = "holder"
    extra = 0
    fields = ("unit", "title_en", "title_km", "role_tags")
    autocomplete_fields = ("unit",)
    verbose_name = _("position held")
    verbose_name_plural = _("positions held")


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_km", "kind", "parent", "province_code")
    list_filter = ("kind", "province_code")
    search_fields = ("code", "name_en", "name_km")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path",)
    list_select_related = ("parent",)
    inlines = (PositionInline, OnCallShiftInline)
    fieldsets = (
        (None, {"fields": ("code", "kind", "name_km", "name_en", "parent", "path")}),
        (_("Contacts"), {"fields": ("email", "phone")}),
        (_("Location"), {"fields": ("province_code", "district_code", "commune_code")}),
    )


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("employee_id", "name_en", "name_km", "email", "phone", "active")
    list_filter = ("active", "languages")
    search_fields = (
        "employee_id", "family_name_en", "given_name_en", "family_name_km", "given_name_km",
        "email", "user__username",
    )  # fmt: skip
    autocomplete_fields = ("user",)
    inlines = (HeldPositionInline,)
    actions = (invite_people, reset_people_second_factor)

    @admin.display(description=_("name (Latin)"), ordering="family_name_en")
    def name_en(self, obj: Person) -> str:
        return obj.name_en

    @admin.display(description=_("name (Khmer)"), ordering="family_name_km")
    def name_km(self, obj: Person) -> str:
        return obj.name_km


class VacantFilter(admin.SimpleListFilter):
    title = _("vacancy")
    parameter_name = "vacant"

    def lookups(self, request, model_admin):
        return (("yes", _("Vacant")), ("no", _("Held")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(holder__isnull=self.value() == "yes")
        return queryset


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("title_en", "title_km", "unit", "holder", "acting_holder", "role_tags")
    list_filter = (VacantFilter, "unit__kind", "imported")
    search_fields = (
        "title_en", "title_km", "role_tags", "unit__code", "unit__name_en", "unit__name_km",
        "holder__family_name_en", "holder__given_name_en", "holder__family_name_km",
        "holder__given_name_km", "holder__employee_id",
    )  # fmt: skip
    autocomplete_fields = ("unit", "holder", "acting_holder")
    list_select_related = ("unit", "holder", "acting_holder")


@admin.register(OnCallShift)
class OnCallShiftAdmin(admin.ModelAdmin):
    list_display = ("specialty", "unit", "person", "starts_at", "ends_at")
    list_filter = ("specialty", "unit__kind")
    search_fields = (
        "specialty", "unit__code", "unit__name_en", "unit__name_km", "person__family_name_en",
        "person__given_name_en", "person__family_name_km", "person__given_name_km",
    )  # fmt: skip
    autocomplete_fields = ("unit", "person")
    list_select_related = ("unit", "person")
    date_hierarchy = "starts_at"
