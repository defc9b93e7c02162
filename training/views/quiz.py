"""Quiz pages: rules and history, the attempt form (answers saved one by one), results."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.core import clock
from collab.core.errors import ServiceError

from .. import selectors
from ..models import Attempt, Enrolment, QuizPage
from ..quiz_forms import attempt_questions, attempt_results, response_from_form
from ..services import quiz as quiz_services
from .common import person_required, refused, restriction_error


@person_required
def quiz_detail(request, *, quiz):
    course = selectors.course_of(quiz)
    enrolment = Enrolment.objects.filter(person=request.person, course=course).first()
    quiz_services.finish_expired_attempts(person=request.person, quiz=quiz)
    attempts = list(Attempt.objects.filter(person=request.person, quiz=quiz).order_by("-number"))
    in_cycle = [a for a in attempts if enrolment and a.started_at >= enrolment.cycle_started_at]
    grade = selectors.grade_of(
        [a.score for a in reversed(in_cycle) if a.submitted_at], quiz.grading
    )
    return render(
        request,
        "training/quiz.html",
        {
            "page": quiz,
            "course": course,
            "enrolment": enrolment,
            "attempts": attempts,
            "open_attempt": next((a for a in attempts if a.is_open), None),
            "attempts_left": max(quiz.max_attempts - len(in_cycle), 0)
            if quiz.max_attempts
            else None,
            "grade": grade,
            "passed": grade is not None and grade >= quiz.pass_mark,
        },
    )


@require_POST
@person_required
def start(request, quiz_id: int):
    quiz = get_object_or_404(QuizPage.objects.live(), pk=quiz_id)
    if error := restriction_error(request, quiz):
        return refused(request, error)
    try:
        attempt = quiz_services.start_attempt(person=request.person, quiz=quiz)
    except ServiceError as error:
        return refused(request, error)
    return redirect("training:attempt", attempt_id=attempt.pk)


def _own_attempt(request, attempt_id: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("quiz"), pk=attempt_id, person=request.person
    )


@person_required
def attempt(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if (
        attempt.is_open
        and attempt.deadline
        and quiz_services.finish_expired_attempts(person=request.person, quiz=attempt.quiz)
    ):
        attempt.refresh_from_db()
    if not attempt.is_open:
        return render(
            request,
            "training/attempt_result.html",
            {
                "attempt": attempt,
                "page": attempt.quiz,
                "results": attempt_results(attempt),
                "course": selectors.course_of(attempt.quiz),
            },
        )
    return render(
        request,
        "training/attempt.html",
        {
            "attempt": attempt,
            "page": attempt.quiz,
            "questions": attempt_questions(attempt),
            "seconds_left": max(0, int((attempt.deadline - clock.now()).total_seconds()))
            if attempt.deadline
            else None,
        },
    )


@require_POST
@person_required
def submit(request, attempt_id: int):
    """The no-JavaScript path: save every answer in the form, then submit."""
    attempt = _own_attempt(request, attempt_id)
    if attempt.is_open:
        errors = []
        for question in attempt_questions(attempt):
            response = response_from_form(question, request.POST)
            if response is None:
                continue
            try:
                quiz_services.save_answer(
                    person=request.person,
                    attempt=attempt,
                    position=question.position,
                    response=response,
                )
            except ServiceError as error:
                if error.code == "time_up":
                    break
                errors.append(f"{question.position}: {error.message}")
        if errors:
            for error in errors:
                messages.error(request, _("Question %(error)s") % {"error": error})
            return redirect("training:attempt", attempt_id=attempt.pk)
        try:
            quiz_services.submit_attempt(person=request.person, attempt=attempt)
        except ServiceError as error:
            return refused(request, error)
    return redirect("training:attempt", attempt_id=attempt.pk)
