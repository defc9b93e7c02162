"""Course catalogue, course and lesson pages (served from the Wagtail tree), My learning."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import selectors
from ..errors import TrainingError
from ..models import CoursePage, Enrolment, LessonPage
from ..services import enrolment as enrolment_services
from .common import person_required, refused


@person_required
def course_catalogue(request, *, index):
    courses = CoursePage.objects.child_of(index).live().order_by("title")
    enrolled = set(
        Enrolment.objects.filter(person=request.person).values_list("course_id", flat=True)
    )
    return render(
        request, "training/catalogue.html",
        {"page": index, "courses": courses, "enrolled": enrolled},
    )


@person_required
def course_detail(request, *, course):
    outline = selectors.course_outline(course)
    enrolment = Enrolment.objects.filter(person=request.person, course=course).first()
    progress = (
        selectors.course_progress(enrolment=enrolment, outline=outline) if enrolment else None
    )
    viewed = set(
        request.person.lesson_views.filter(lesson__in=outline.lessons).values_list(
            "lesson_id", flat=True
        )
    )
    return render(
        request,
        "training/course.html",
        {
            "page": course,
            "outline": outline,
            "enrolment": enrolment,
            "progress": progress,
            "viewed": viewed,
            "missing": selectors.missing_prerequisites(person=request.person, course=course),
            "certificate": selectors.current_certificate(person=request.person, course=course)
            if enrolment and enrolment.completed_at
            else None,
        },
    )


def _can_read(person, course) -> bool:
    return course.open_enrolment or Enrolment.objects.filter(person=person, course=course).exists()



@person_required
def lesson_detail(request, *, lesson):
    course = selectors.course_of(lesson)
    if not _can_read(request.person, course):
        return refused(request, TrainingError("not_enrolled", "", status=403))
    enrolment_services.record_lesson_view(person=request.person, lesson=lesson, course=course)
    siblings = list(lesson.get_siblings().live().only("id", "title", "url_path"))
    index = next((i for i, p in enumerate(siblings) if p.pk == lesson.pk), 0)
    return render(
        request,
        "training/lesson.html",
        {
            "page": lesson,
            "course": course,
            "previous": siblings[index - 1] if index > 0 else None,
            "next": siblings[index + 1] if index + 1 < len(siblings) else None,
        },
    )


def lesson(request, lesson_id: int):
    page = get_object_or_404(LessonPage.objects.live().select_related("video"), pk=lesson_id)
    return lesson_detail(request, lesson=page)


@require_POST
@person_required
def enrol(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    try:
        enrolment_services.enrol(person=request.person, course=course)
    except TrainingError as error:
        return refused(request, error)
    return redirect(course.url)


@require_POST
@person_required
def renew(request, course_id: int):
    enrolment = get_object_or_404(
        Enrolment, person=request.person, course_id=course_id, completed_at__isnull=False
    )
    certificate = selectors.current_certificate(person=request.person, course=enrolment.course)
    if certificate is None or selectors.certificate_state(certificate) == "valid":
        return redirect(enrolment.course.url)
    enrolment_services.start_renewal(enrolment=enrolment)
    return redirect(enrolment.course.url)


@person_required
def my_learning(request):
    groups = selectors.my_learning(person=request.person)
    return render(request, "training/my_learning.html", {"groups": groups})
