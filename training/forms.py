from django import forms
from django.utils.translation import gettext_lazy as _

from collab.directory.models import OrgUnit, Person

from .models import CoursePage


class AssignmentForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=CoursePage.objects.live().order_by("title")
    )
    unit = forms.ModelChoiceField(
        label=_("Org unit"), queryset=OrgUnit.objects.all(), required=False
    )
    include_descendants = forms.BooleanField(
        label=_("Include sub-units"), required=False, initial=True
    )
    role_tag = forms.CharField(label=_("Role tag"), required=False, max_length=64)
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.filter(active=True), required=False
    )
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    mandatory = forms.BooleanField(label=_("Mandatory"), required=False, initial=True)
    newcomer_days = forms.IntegerField(
        label=_("Days given to newcomers"), min_value=1, max_value=365, initial=30
    )

    def clean(self):
        data = super().clean()
        person, unit, tag = data.get("person"), data.get("unit"), data.get("role_tag")
        if person and (unit or tag):
            raise forms.ValidationError(
                _("Assign to a person, or to a unit and/or role tag, not both.")
            )
        if not (person or unit or tag):
            raise forms.ValidationError(_("Choose a unit, a role tag or a person."))
        return data


class ReportFilterForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=CoursePage.objects.live().order_by("title"), required=False
    )
