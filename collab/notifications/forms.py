from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Urgency, UserSettings


class InboxFilter(forms.Form):
    unread = forms.BooleanField(label=_("Unread only"), required=False)
    needs_ack = forms.BooleanField(label=_("Needs acknowledgement"), required=False)
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", _("Any"))] + Urgency.choices
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = UserSettings
        fields = ["quiet_start", "quiet_end", "digest"]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }
