from django import forms
from django.utils.translation import gettext_lazy as _

from collab.search.selectors import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY_LENGTH, required=False)
    type = forms.CharField(label=_("Type"), max_length=20, required=False)
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=500, required=False)
