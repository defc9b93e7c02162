from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import (
    CoursePage,
    LessonPage,
    ModulePage,
    Question,
    QuestionBank,
    QuizPage,
    TrainingIndexPage,
)
from .views import learning, quiz


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


# The training pages are served by the app's views (enrolment, progress, the lesson cache)
# rather than by Wagtail templates, from an ``on_serve_page`` hook registered after
# Wagtail's own: Wagtail 8 enforces view restrictions (login, groups, password) in an
# ``on_serve_page`` wrapper, which a response from ``before_serve_page`` would skip.
def _serve_index(request, page):
    return learning.course_catalogue(request, index=page.primary())


def _serve_module(request, page):
    return redirect(page.get_parent().url)


def _serve_lesson(request, page):
    return learning.lesson(request, lesson_id=page.pk, served_by_wagtail=True)


PAGE_VIEWS = {
    TrainingIndexPage: _serve_index,
    CoursePage: lambda request, page: learning.course_detail(request, course=page),
    ModulePage: _serve_module,
    LessonPage: _serve_lesson,
    QuizPage: lambda request, page: quiz.quiz_detail(request, quiz=page),
}


@hooks.register("on_serve_page", order=100)
def serve_training_pages(serve):
    def serve_with_training_views(page, request, args, kwargs):
        view = PAGE_VIEWS.get(type(page))
        return view(request, page) if view else serve(page, request, args, kwargs)

    return serve_with_training_views


serve_training_pages.renders_page = True  # views.common.serve_through_wagtail skips it
