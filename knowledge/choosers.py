"""Admin chooser for directory positions (an article's owner): a searchable modal, not a
dropdown of every post in the ministry."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet

from collab.directory.models import Position


class PositionFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Title, unit or holder's name")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            self.is_searching = True
            self.search_query = query
            objects = objects.filter(
                Q(title_en__icontains=query)
                | Q(title_km__icontains=query)
                | Q(unit__code__icontains=query)
                | Q(unit__name_en__icontains=query)
                | Q(unit__name_km__icontains=query)
                | Q(holder__search_text__contains=query.lower())
            )
        return objects


class _Listing:
    filter_form_class = PositionFilterForm

    def get_object_list(self):
        return Position.objects.select_related("unit", "holder").order_by("unit__path", "title_en")


class PositionChooseView(_Listing, ChooseView):
    pass


class PositionChooseResultsView(_Listing, ChooseResultsView):
    pass


class PositionChooserViewSet(ChooserViewSet):
    model = Position
    icon = "user"
    choose_one_text = _("Choose a position")
    choose_another_text = _("Choose another position")
    choose_view_class = PositionChooseView
    choose_results_view_class = PositionChooseResultsView
    per_page = 20


position_chooser_viewset = PositionChooserViewSet(
    "knowledge_position_chooser", url_prefix="knowledge/position-chooser"
)
