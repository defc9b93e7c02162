from django import forms
from django.utils.translation import gettext_lazy as _


class ScheduleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scheduled_for = forms.DateTimeField(
        label=_("Time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    invitees = forms.CharField(
        label=_("Invitees"),
        widget=forms.Textarea(attrs={
            "rows": 2,
            "data-picker": "/api/v1/directory/typeahead",
            "data-picker-multiple": "",
            "data-picker-label": _("Find people by name (Khmer or Latin)"),
        }),
        help_text=_("Employee ids or emails from the directory, separated by commas."),
    )
