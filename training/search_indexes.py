"""Search types of training: courses and lessons (live pages).

Filter: lessons of closed courses carry ``course_<id>``, held by the people enrolled;
lessons under a password carry no token anyone holds. Verification: the training app's
one access check per type (``readable_courses``, ``readable_lessons``: the lesson view's
rule, Wagtail view restrictions included).
"""

from django.utils.translation import gettext_lazy as _
from haystack import indexes
from wagtail.models import PageViewRestriction

from collab.directory.selectors import person_for_user
from collab.search.indexes import EVERYONE, SahakarIndex
from collab.search.pagetext import html_text, stream_text
from training.models import CoursePage, Enrolment, LessonPage
from training.selectors import course_of, readable_courses, readable_lessons

NOBODY = "nobody"


def _lessons_below(page) -> list[int]:
    return list(LessonPage.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True))


class CourseIndex(SahakarIndex, indexes.Indexable):
    type_key = "course"
    type_label = _("Courses")

    def get_model(self):
        return CoursePage

    def index_queryset(self, using=None):
        return CoursePage.objects.live()

    def title_en(self, obj) -> str:
        return obj.title

    def body(self, obj) -> str:
        return f"{obj.summary}\n{html_text(obj.intro)}"

    def url_of(self, obj) -> str:
        return obj.get_url() or ""

    def visible_ids(self, user, ids):
        return {str(pk) for pk in readable_courses(user=user, ids=ids)}


class LessonIndex(SahakarIndex, indexes.Indexable):
    type_key = "lesson"
    type_label = _("Lessons")
    watch = {
        CoursePage: _lessons_below,
        PageViewRestriction: lambda r: _lessons_below(r.page),
    }

    def get_model(self):
        return LessonPage

    def index_queryset(self, using=None):
        return LessonPage.objects.live()

    def title_en(self, obj) -> str:
        return obj.title

    def body(self, obj) -> str:
        course = course_of(obj)
        return f"{course.title if course else ''}\n{stream_text(obj.body)}"

    def url_of(self, obj) -> str:
        return obj.get_url() or ""

    def access_tokens(self, obj) -> list[str]:
        if obj.get_view_restrictions().filter(restriction_type=PageViewRestriction.PASSWORD):
            return [NOBODY]
        course = course_of(obj)
        if course is None or course.open_enrolment:
            return [EVERYONE]
        return [f"course_{course.pk}"]

    def user_tokens(self, user) -> set[str]:
        person = person_for_user(user)
        if person is None or not user.is_active:
            return set()
        courses = Enrolment.objects.filter(person=person).values_list("course_id", flat=True)
        return {EVERYONE} | {f"course_{pk}" for pk in courses}

    def visible_ids(self, user, ids):
        return {str(pk) for pk in readable_lessons(user=user, ids=ids)}
