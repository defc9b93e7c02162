"""Course catalogue, course and lesson pages (served from the Wagtail tree), My learning."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from collab.core.errors import ServiceError

from .. import lesson_cache, selectors
from ..models import CoursePage, Enrolment, LessonPage
from ..services import enrolment as enrolment_services
from .common import (
    no_person_error,
    person_required,
    refused,
    restriction_error,
    serve_through_wagtail,
)


@person_required
def course_catalogue(request, *, index):
    courses = CoursePage.objects.child_of(index).live().order_by("title")
    enrolled = set(
        Enrolment.objects.filter(person=request.person).values_list("course_id", flat=True)
    )
    return render(
        request,
        "training/catalogue.html",
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


def lesson(request, lesson_id: int, *, served_by_wagtail: bool = False):
    """A lesson: the shared part from the lesson cache, the reader's part in two queries.

    The short link skips Wagtail's serve view, so a restricted lesson (login, groups or
    password on it or above it) goes through Wagtail's serve hooks here."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    entry = lesson_cache.lesson_entry(lesson_id)
    if entry is None:
        raise Http404
    if entry.restricted and not served_by_wagtail:
        page = LessonPage.objects.get(pk=entry.lesson_id)
        return serve_through_wagtail(request, page, lambda: _render_lesson(request, entry))
    return _render_lesson(request, entry)


def lesson_preview(request, *, lesson):
    """Wagtail's preview of a lesson draft (it checked the editor's permission): rendered from
    the draft, never cached, no progress recorded."""
    entry = lesson_cache.build_entry(lesson)
    if entry is None:
        raise Http404
    return render(request, "training/lesson.html", {"lesson": entry, "progress": None})


def _render_lesson(request, entry):
    reader = selectors.lesson_reader(user=request.user, course_id=entry.course_id)
    if reader is None:
        return refused(request, no_person_error())
    if not selectors.lesson_open_to(
        open_enrolment=entry.open_enrolment, enrolled=reader.enrolment_id is not None
    ):
        return refused(request, ServiceError("not_enrolled", "", status=403))
    viewed, attempts = selectors.lesson_progress(
        reader=reader, lesson_ids=entry.lesson_ids, quizzes=entry.quizzes
    )
    if entry.lesson_id not in viewed:
        enrolment_services.record_lesson_view(
            person_id=reader.person_id, lesson_id=entry.lesson_id, course_id=entry.course_id
        )
        viewed.add(entry.lesson_id)
    progress = None
    if reader.enrolment_id:
        progress = selectors.progress_of(
            lessons_total=len(entry.lesson_ids),
            viewed=viewed,
            quizzes=list(entry.quizzes),
            attempts=attempts,
        )
    return render(request, "training/lesson.html", {"lesson": entry, "progress": progress})


@require_POST
@person_required
def enrol(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if error := restriction_error(request, course):
        return refused(request, error)
    try:
        enrolment_services.enrol(person=request.person, course=course)
    except ServiceError as error:
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
