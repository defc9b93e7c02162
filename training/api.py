"""/api/v1/training: my learning, quiz attempts (one call per answer), certificate check."""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router

from collab.core.bounds import Id, Position, StrictBody
from collab.core.errors import ServiceError
from collab.directory.selectors import person_for_user

from . import selectors
from .models import Attempt, Certificate, QuizPage
from .quiz_forms import attempt_questions, attempt_results
from .services import quiz as quiz_services
from .views.common import restriction_error

router = Router(tags=["training"])


class AnswerIn(StrictBody):
    response: dict[str, Any]


def _person(request: HttpRequest):
    person = person_for_user(request.user)
    if person is None:
        raise ServiceError(
            "no_person", _("Your login is not linked to a person in the directory."), status=403
        )
    return person


def _attempt_out(attempt: Attempt) -> dict:
    return {
        "id": attempt.pk,
        "quiz": attempt.quiz_id,
        "number": attempt.number,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at,
        "questions": [
            {
                "position": q.position,
                "kind": q.kind,
                "prompt": q.prompt,
                "points": q.points,
                "options": [{"id": o.id, "text": o.text} for o in q.options],
                "targets": [{"id": o.id, "text": o.text} for o in q.targets],
                "response": q.response,
            }
            for q in attempt_questions(attempt)
        ],
    }


def _result_out(attempt: Attempt) -> dict:
    return {
        "id": attempt.pk,
        "score": attempt.score,
        "passed": attempt.score is not None and attempt.score >= attempt.quiz.pass_mark,
        "timed_out": attempt.timed_out,
        "submitted_at": attempt.submitted_at,
        "answers": [
            {
                "position": r.question.position,
                "correct": r.correct,
                "points": r.points,
                "feedback": r.feedback,
            }
            for r in attempt_results(attempt)
        ],
    }


def _own(request, attempt_id: int):
    person = _person(request)
    return person, get_object_or_404(
        Attempt.objects.select_related("quiz"), pk=attempt_id, person=person
    )


@router.get("/my")
def my_learning(request: HttpRequest):
    person = _person(request)
    items = []
    for group, rows in selectors.my_learning(person=person).items():
        for row in rows:
            e = row.enrolment
            items.append(
                {
                    "course": e.course_id,
                    "title": e.course.title,
                    "url": e.course.url,
                    "group": group,
                    "status": row.status,
                    "mandatory": e.mandatory,
                    "due_date": e.due_date,
                    "progress_percent": row.progress.percent,
                    "score": row.progress.score,
                    "certificate": row.certificate.code if row.certificate else None,
                }
            )
    return {"items": items, "count": len(items)}


@router.post("/quizzes/{quiz_id}/attempts")
def start_attempt(request: HttpRequest, quiz_id: Id):
    """Start an attempt, or get the open one back (resume)."""
    person = _person(request)
    quiz = get_object_or_404(QuizPage.objects.live(), pk=quiz_id)
    if error := restriction_error(request, quiz):
        raise error
    attempt = quiz_services.start_attempt(person=person, quiz=quiz)
    return _attempt_out(attempt)


@router.get("/attempts/{attempt_id}")
def get_attempt(request: HttpRequest, attempt_id: Id):
    _person_, attempt = _own(request, attempt_id)
    return _result_out(attempt) if attempt.submitted_at else _attempt_out(attempt)


@router.put("/attempts/{attempt_id}/answers/{position}")
def save_answer(request: HttpRequest, attempt_id: Id, position: Position, payload: AnswerIn):
    person, attempt = _own(request, attempt_id)
    answer = quiz_services.save_answer(
        person=person, attempt=attempt, position=position, response=payload.response
    )
    return {
        "position": answer.position,
        "response": answer.response,
        "saved_at": answer.answered_at,
    }


@router.post("/attempts/{attempt_id}/submit")
def submit_attempt(request: HttpRequest, attempt_id: Id):
    person, attempt = _own(request, attempt_id)
    attempt = quiz_services.submit_attempt(person=person, attempt=attempt)
    return _result_out(attempt)


@router.get("/certificates/{code}", auth=None)
def verify_certificate(request: HttpRequest, code: str):
    certificate = Certificate.objects.filter(code=code.upper()).first()
    if certificate is None:
        return JsonResponse({"message": _("No certificate has this code.")}, status=404)
    return {
        "code": certificate.code,
        "state": selectors.certificate_state(certificate),
        "name_km": certificate.name_km,
        "name_en": certificate.name_en,
        "course": certificate.course_title,
        "issued_at": certificate.issued_at,
        "expires_at": certificate.expires_at,
        "revoked_at": certificate.revoked_at,
    }
