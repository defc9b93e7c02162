"""Courses and lessons (live pages).

A course is open to every signed-in user; a lesson follows the rule of the training app's
lesson view: readable when its course has open enrolment or the reader is enrolled.
Filter: lessons of closed courses carry ``course_<id>``, held by the people enrolled.
"""

from django.utils.translation import gettext_lazy as _
from haystack import indexes

from collab.directory.selectors import person_for_user
from collab.search.indexes import EVERYONE, SahakarIndex
from collab.search.pagetext import html_text, stream_text
from training.models import CoursePage, Enrolment, LessonPage


def _course_of(lesson) -> CoursePage | None:
    return CoursePage.objects.filter(
        path__in=[lesson.path[:i] for i in range(4, len(lesson.path), 4)]
    ).first()


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
        qs = CoursePage.objects.live().filter(pk__in=ids)
        return {str(pk) for pk in qs.values_list("pk", flat=True)}


class LessonIndex(SahakarIndex, indexes.Indexable):
    type_key = "lesson"
    type_label = _("Lessons")
    watch = {
        CoursePage: lambda course: LessonPage.objects.filter(
            path__startswith=course.path
        ).values_list("pk", flat=True),
    }

    def get_model(self):
        return LessonPage

    def index_queryset(self, using=None):
        return LessonPage.objects.live()

    def title_en(self, obj) -> str:
        return obj.title

    def body(self, obj) -> str:
        course = _course_of(obj)
        return f"{course.title if course else ''}\n{stream_text(obj.body)}"

    def url_of(self, obj) -> str:
        return obj.get_url() or ""

    def access_tokens(self, obj) -> list[str]:
        course = _course_of(obj)
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
        person = person_for_user(user)
        if person is None:
            return set()
        lessons = list(LessonPage.objects.live().filter(pk__in=ids).only("pk", "path"))
        paths = {lesson.path[:i] for lesson in lessons for i in range(4, len(lesson.path), 4)}
        courses = list(
            CoursePage.objects.filter(path__in=paths).only("pk", "path", "open_enrolment")
        )
        enrolled = set(
            Enrolment.objects.filter(person=person, course__in=courses).values_list(
                "course_id", flat=True
            )
        )
        readable = [c.path for c in courses if c.open_enrolment or c.pk in enrolled]
        return {
            str(lesson.pk)
            for lesson in lessons
            if any(lesson.path.startswith(path) for path in readable)
        }
