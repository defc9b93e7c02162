from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Question, QuestionBank


class QuestionBankViewSet(SnippetViewSet):
    model = QuestionBank
    icon = "folder-open-inverse"
    menu_label = _("Question banks")
    search_fields = ["title"]
    list_display = ["title"]


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    list_display = ["prompt", "kind", "bank", "points"]
    list_filter = ["bank", "kind"]


register_snippet(QuestionBankViewSet)
register_snippet(QuestionViewSet)
