import re

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from collab.directory.models import OrgUnit

from .models import HEALTH_ID_PATTERN, Urgency


def patient_picker() -> forms.TextInput:
    """The Health ID field with a search by name above it (sahakar/js/picker.js)."""
    return forms.TextInput(attrs={
        "data-picker": reverse_lazy("health:patient_find"),
        "data-picker-label": _("Find the patient by name (Khmer or Latin) or Health ID"),
    })


class ReferralForm(forms.Form):
    health_id = forms.CharField(label=_("Patient's Health ID"), max_length=32,
                                widget=patient_picker())
    from_unit = forms.ModelChoiceField(label=_("From (your unit)"), queryset=OrgUnit.objects.none())
    to_unit = forms.ModelChoiceField(
        label=_("Refer to"),
        queryset=OrgUnit.objects.filter(kind__in=["hospital", "phd", "od"]),
    )
    specialty = forms.CharField(label=_("Specialty"), max_length=64, initial="paediatrics")
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices,
                                initial=Urgency.URGENT)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=4000)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].queryset = units
        if units.count() == 1:
            self.fields["from_unit"].initial = units.first()

    def clean_health_id(self):
        value = self.cleaned_data["health_id"].strip().upper()
        if not re.fullmatch(HEALTH_ID_PATTERN, value):
            raise forms.ValidationError(_("A Health ID is 4–32 capital letters, digits or dashes."))
        return value


class ResponseForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline")),
                                        ("complete", _("Complete"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class LabResultForm(forms.Form):
    health_id = forms.CharField(label=_("Patient's Health ID"), max_length=32,
                                widget=patient_picker())
    ordering_doctor = forms.CharField(label=_("Ordering doctor's employee id"), max_length=32)
    test_code = forms.CharField(label=_("Test code"), max_length=32)
    test_name = forms.CharField(label=_("Test name"), max_length=200)
    value = forms.CharField(label=_("Value"), max_length=100)
    unit = forms.CharField(label=_("Unit"), max_length=32, required=False)
    reference_range = forms.CharField(label=_("Reference range"), max_length=64, required=False)
    abnormal = forms.BooleanField(label=_("Abnormal"), required=False)
