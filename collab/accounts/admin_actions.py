"""Admin actions on directory people (the directory's PersonAdmin lists them)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .services import invite, reset_second_factor


@admin.action(description=gettext_lazy("Invite to Sahakar (email a link to choose a password)"),
              permissions=["change"])  # fmt: skip
def invite_people(modeladmin, request, queryset) -> None:
    sent, problems = 0, []
    for person in queryset.select_related("user"):
        try:
            invite(person=person, invited_by=request.user, request=request)
        except ValidationError as exc:
            problems.append(f"{person}: {'; '.join(exc.messages)}")
        else:
            sent += 1
    modeladmin.message_user(request, ngettext(
        "%(count)d invitation queued.", "%(count)d invitations queued.", sent
    ) % {"count": sent}, messages.SUCCESS)  # fmt: skip
    for problem in problems:
        modeladmin.message_user(request, problem, messages.WARNING)


@admin.action(description=gettext_lazy("Reset the second factor (they enrol again)"),
              permissions=["change"])  # fmt: skip
def reset_people_second_factor(modeladmin, request, queryset) -> None:
    count = 0
    for person in queryset.select_related("user").exclude(user=None):
        reset_second_factor(user=person.user, request=request, by=request.user)
        count += 1
    modeladmin.message_user(request, _("Second factor reset for %(count)d people.")
                            % {"count": count}, messages.SUCCESS)  # fmt: skip
