"""Enrolment, lesson progress, completion and the renewal of expired certifications."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from collab.core import clock
from collab.core.errors import ServiceError
from collab.core.scheduling import periodic
from collab.directory.models import Person

from .. import selectors
from ..models import Certificate, CoursePage, Enrolment, LessonView


def enrol(*, person: Person, course: CoursePage) -> Enrolment:
    """Self-enrolment: open courses only, prerequisites first. Idempotent."""
    existing = Enrolment.objects.filter(person=person, course=course).first()
    if existing:
        return existing
    if not course.open_enrolment:
        raise ServiceError(
            "not_open", _("This course is not open for enrolment; it is assigned."), status=403
        )
    missing = selectors.missing_prerequisites(person=person, course=course)
    if missing:
        raise ServiceError(
            "prerequisites",
            _("Complete these courses first: %(courses)s")
            % {"courses": ", ".join(c.title for c in missing)},
            status=403,
        )
    now = clock.now()
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                person=person,
                course=course,
                source=Enrolment.Source.SELF,
                enrolled_at=now,
                cycle_started_at=now,
            )
    except IntegrityError:  # a double click raced us
        return Enrolment.objects.get(person=person, course=course)
    # Lessons read before enrolling count (a course of lessons only may be complete now).
    if LessonView.objects.filter(person=person, lesson__path__startswith=course.path).exists():
        update_completion(enrolment=enrolment)
        enrolment.refresh_from_db()
    return enrolment


def record_lesson_view(*, person_id: int, lesson_id: int, course_id: int) -> None:
    """The person opened the lesson (of that course): progress, maybe completion."""
    _view, created = LessonView.objects.get_or_create(
        person_id=person_id, lesson_id=lesson_id, defaults={"first_viewed_at": clock.now()}
    )
    if created:
        enrolment = Enrolment.objects.filter(person_id=person_id, course_id=course_id).first()
        if enrolment is not None:
            update_completion(enrolment=enrolment)


@transaction.atomic
def update_completion(*, enrolment: Enrolment) -> Certificate | None:
    """Mark the enrolment complete and issue its certificate once the completion rule holds."""
    from .certificates import issue_certificate

    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("course", "person")
        .get(pk=enrolment.pk)
    )
    if enrolment.completed_at:
        return None
    progress = selectors.course_progress(enrolment=enrolment)
    if not progress.complete:
        return None
    enrolment.completed_at = clock.now()
    enrolment.save(update_fields=["completed_at"])
    return issue_certificate(enrolment=enrolment, score=progress.score)


@transaction.atomic
def start_renewal(*, enrolment: Enrolment) -> Enrolment:
    """A new certification cycle: the quizzes must be passed again (lessons stay read)."""
    from datetime import timedelta

    now = clock.now()
    enrolment.completed_at = None
    enrolment.cycle_started_at = now
    if enrolment.assignment_id and enrolment.mandatory:
        enrolment.due_date = selectors.today() + timedelta(days=enrolment.assignment.newcomer_days)
    enrolment.save(update_fields=["completed_at", "cycle_started_at", "due_date"])
    return enrolment


@periodic(every=600)
def renew_expired_certifications() -> int:
    """Completed enrolments whose certificate has expired start a renewal cycle."""
    now = clock.now()
    expired = Certificate.objects.filter(expires_at__lte=now, revoked_at__isnull=True).values_list(
        "person_id", "course_id"
    )
    renewed = 0
    for person_id, course_id in set(expired):
        enrolment = (
            Enrolment.objects.filter(
                person_id=person_id, course_id=course_id, completed_at__isnull=False
            )
            .select_related("assignment")
            .first()
        )
        if enrolment is None:
            continue
        still_valid = Certificate.objects.filter(
            person_id=person_id,
            course_id=course_id,
            revoked_at__isnull=True,
            issued_at__gte=enrolment.cycle_started_at,
        ).exclude(expires_at__lte=now)
        if not still_valid.exists():
            start_renewal(enrolment=enrolment)
            renewed += 1
    return renewed
