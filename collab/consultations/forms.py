from django import forms
from django.utils.translation import gettext_lazy as _

from collab.health.forms import patient_picker

from .services import PRESCRIPTION_FIELDS

PRESCRIPTION_ROWS = 5


class AppointmentForm(forms.Form):
    health_id = forms.CharField(label=_("Patient's Health ID"), max_length=32,
                                widget=patient_picker())
    scheduled_for = forms.DateTimeField(
        label=_("Time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    subjective = forms.CharField(label=_("Subjective"), required=False, widget=forms.Textarea)
    objective = forms.CharField(label=_("Objective"), required=False, widget=forms.Textarea)
    assessment = forms.CharField(label=_("Assessment"), required=False, widget=forms.Textarea)
    plan = forms.CharField(label=_("Plan"), required=False, widget=forms.Textarea)
    reason = forms.CharField(label=_("Reason for the amendment"), required=False, max_length=300)

    def prescription(self) -> list[dict]:
        """Rows posted as rx-<n>-<field>; blank rows are dropped by the service."""
        return [
            {f: self.data.get(f"rx-{n}-{f}", "") for f in PRESCRIPTION_FIELDS}
            for n in range(PRESCRIPTION_ROWS)
        ]
