"""Quiz attempts: draw, save each answer as given, submit, score on the server."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from collab.core import clock
from collab.core.errors import ServiceError
from collab.core.scheduling import periodic
from collab.directory.models import Person

from .. import selectors
from ..models import Attempt, AttemptAnswer, CoursePage, Enrolment, Question, QuizPage
from ..scoring import ChoiceData, InvalidAnswer, clean_response, mark

# Answers that arrive this late after the deadline still count (the request was in flight).
DEADLINE_GRACE = timedelta(seconds=5)
_random = random.SystemRandom()


def _choices(question: Question) -> list[ChoiceData]:
    return [
        ChoiceData(c.id, c.text, c.is_correct, c.match_text, c.feedback)
        for c in question.choices.all()
    ]


def _enrolment_for(*, person: Person, quiz: QuizPage) -> Enrolment:
    course = selectors.course_of(quiz)
    enrolment = Enrolment.objects.filter(person=person, course=course).first()
    if enrolment is None:
        raise ServiceError("not_enrolled", _("Enrol in the course first."), status=403)
    missing = selectors.missing_prerequisites(person=person, course=course)
    if missing:
        raise ServiceError(
            "prerequisites",
            _("Complete these courses first: %(courses)s")
            % {"courses": ", ".join(c.title for c in missing)},
            status=403,
        )
    return enrolment


def _draw(quiz: QuizPage) -> list[Question]:
    drawn: list[Question] = []
    for draw in quiz.draws.select_related("bank").all():
        pool = list(draw.bank.questions.prefetch_related("choices").all())
        if draw.count and draw.count < len(pool):
            pool = _random.sample(pool, draw.count)
        drawn.extend(q for q in pool if q not in drawn)
    if quiz.shuffle_questions:
        _random.shuffle(drawn)
    return drawn


def start_attempt(*, person: Person, quiz: QuizPage) -> Attempt:
    """Resume the open attempt, or start a new one within the attempt limit."""
    enrolment = _enrolment_for(person=person, quiz=quiz)
    finish_expired_attempts(person=person, quiz=quiz)
    with transaction.atomic():
        open_attempt = (
            Attempt.objects.select_for_update()
            .filter(person=person, quiz=quiz, submitted_at__isnull=True)
            .first()
        )
        if open_attempt:
            return open_attempt
        in_cycle = Attempt.objects.filter(
            person=person, quiz=quiz, started_at__gte=enrolment.cycle_started_at
        ).count()
        if quiz.max_attempts and in_cycle >= quiz.max_attempts:
            raise ServiceError(
                "attempt_limit",
                _("You have used all %(n)d attempts at this quiz.") % {"n": quiz.max_attempts},
                status=403,
            )
        questions = _draw(quiz)
        if not questions:
            raise ServiceError("empty_quiz", _("This quiz has no questions yet."), status=409)
        now = clock.now()
        number = (
            Attempt.objects.filter(person=person, quiz=quiz).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        attempt = Attempt.objects.create(
            person=person,
            quiz=quiz,
            number=number,
            started_at=now,
            deadline=now + timedelta(minutes=quiz.time_limit_minutes)
            if quiz.time_limit_minutes
            else None,
        )
        rows = []
        for position, question in enumerate(questions, start=1):
            ids = [c.id for c in question.choices.all()]
            if quiz.shuffle_choices or question.kind == Question.Kind.ORDERING:
                _random.shuffle(ids)
            rows.append(
                AttemptAnswer(
                    attempt=attempt, question=question, position=position, choice_order=ids
                )
            )
        AttemptAnswer.objects.bulk_create(rows)
        return attempt


def _check_owner(attempt: Attempt, person: Person) -> None:
    if attempt.person_id != person.pk:
        raise ServiceError("forbidden", _("This attempt is not yours."), status=403)


def _time_is_up(attempt: Attempt) -> bool:
    return attempt.deadline is not None and clock.now() > attempt.deadline + DEADLINE_GRACE


def save_answer(*, person: Person, attempt: Attempt, position: int, response) -> AttemptAnswer:
    """Store one answer the moment it is given; no score, no hint of correctness."""
    _check_owner(attempt, person)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.submitted_at:
            raise ServiceError(
                "submitted", _("This attempt has already been submitted."), status=409
            )
        if _time_is_up(attempt):
            raise ServiceError("time_up", _("Time is up: this answer was not saved."), status=409)
        answer = (
            AttemptAnswer.objects.select_related("question")
            .filter(attempt=attempt, position=position)
            .first()
        )
        if answer is None:
            raise ServiceError(
                "no_question",
                _("Question %(n)d is not in this attempt.") % {"n": position},
                status=404,
            )
        choices = _choices(answer.question)
        try:
            answer.response = clean_response(answer.question.kind, choices, response)
        except InvalidAnswer as exc:
            raise ServiceError("invalid_answer", str(exc), status=422) from None
        answer.answered_at = clock.now()
        answer.save(update_fields=["response", "answered_at"])
        return answer


def submit_attempt(*, person: Person, attempt: Attempt) -> Attempt:
    _check_owner(attempt, person)
    attempt = _finish(attempt=attempt)
    return attempt


def _finish(*, attempt: Attempt) -> Attempt:
    from .enrolment import update_completion

    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        if attempt.submitted_at:
            return attempt
        answers = list(
            AttemptAnswer.objects.filter(attempt=attempt)
            .select_related("question")
            .prefetch_related("question__choices")
        )
        total = Decimal(0)
        earned = Decimal(0)
        for answer in answers:
            question = answer.question
            marked = mark(question, _choices(question), answer.response)
            answer.points = (marked.fraction * question.points).quantize(Decimal("0.001"))
            answer.correct = marked.correct
            total += question.points
            earned += answer.points
        AttemptAnswer.objects.bulk_update(answers, ["points", "correct"])
        attempt.timed_out = _time_is_up(attempt)
        attempt.submitted_at = (
            min(clock.now(), attempt.deadline + DEADLINE_GRACE)
            if attempt.timed_out
            else clock.now()
        )
        attempt.score = (100 * earned / total).quantize(Decimal("0.01")) if total else Decimal(0)
        attempt.save(update_fields=["submitted_at", "timed_out", "score"])
    if attempt.score < attempt.quiz.pass_mark:
        return attempt  # whatever the grading method, a failed attempt completes nothing
    enrolment = Enrolment.objects.filter(
        person_id=attempt.person_id,
        course__in=CoursePage.objects.ancestor_of(attempt.quiz),
        completed_at__isnull=True,
    ).first()
    if enrolment is not None:
        update_completion(enrolment=enrolment)
    return attempt


def finish_expired_attempts(*, person: Person | None = None, quiz: QuizPage | None = None) -> int:
    """Submit attempts whose time ran out (graded on the answers saved in time)."""
    late = Attempt.objects.filter(
        submitted_at__isnull=True,
        deadline__isnull=False,
        deadline__lt=clock.now() - DEADLINE_GRACE,
    )
    if person is not None:
        late = late.filter(person=person)
    if quiz is not None:
        late = late.filter(quiz=quiz)
    count = 0
    for attempt in late:
        _finish(attempt=attempt)
        count += 1
    return count


@periodic(every=60)
def finish_all_expired_attempts() -> int:
    return finish_expired_attempts()
