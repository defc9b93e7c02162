"""Reads for training: course structure, progress, grades, reports."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import DecimalField, FilteredRelation, Q, QuerySet, Value
from wagtail.models import Page, PageViewRestriction

from collab.core import clock
from collab.directory.models import OrgUnit, Person, Position
from collab.directory.selectors import person_for_user

from .models import (
    Attempt,
    Certificate,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonView,
    QuizPage,
)

MANAGER_TAGS = ("unit-head", "manager", "hr")


def today() -> date:
    from django.utils import timezone

    return timezone.localdate(clock.now())


# --- people ------------------------------------------------------------------------------


def people_in_unit(*, unit: OrgUnit, include_descendants: bool = True) -> QuerySet[Person]:
    """Active people holding (or acting in) a position in the unit (and its sub-units)."""
    try:
        from collab.directory.selectors import people_in_unit as directory_people_in_unit
    except ImportError:
        directory_people_in_unit = None
    if directory_people_in_unit is not None:
        found = directory_people_in_unit(unit=unit, include_descendants=include_descendants)
        return Person.objects.filter(pk__in=[p.pk for p in found])
    if include_descendants:
        where = Q(positions__unit__path__startswith=unit.path) | Q(
            acting_positions__unit__path__startswith=unit.path
        )
    else:
        where = Q(positions__unit=unit) | Q(acting_positions__unit=unit)
    return Person.objects.filter(where, active=True).distinct()


def people_with_role(*, tag: str, unit: OrgUnit | None = None) -> QuerySet[Person]:
    positions = Position.objects.filter(role_tags__contains=f" {tag} ")
    if unit is not None:
        positions = positions.filter(unit__path__startswith=unit.path)
    at = clock.now()
    holder_ids = set()
    for pos in positions.only("holder_id", "acting_holder_id", "acting_from", "acting_until"):
        if pos.holder_id:
            holder_ids.add(pos.holder_id)
        if pos.acting_at(at):
            holder_ids.add(pos.acting_holder_id)
    return Person.objects.filter(pk__in=holder_ids, active=True)


def primary_unit(person: Person) -> OrgUnit | None:
    pos = Position.objects.filter(holder=person).select_related("unit").first()
    return pos.unit if pos else None


# --- structure ---------------------------------------------------------------------------


@dataclass
class CourseOutline:
    course: CoursePage
    modules: list = field(default_factory=list)  # [(ModulePage, [Lesson|Quiz pages])]
    lessons: list[LessonPage] = field(default_factory=list)
    quizzes: list[QuizPage] = field(default_factory=list)


def course_outline(course: CoursePage) -> CourseOutline:
    outline = CourseOutline(course=course)
    current = None
    for page in course.get_descendants().live().specific().order_by("path"):
        if page.depth == course.depth + 1:
            current = (page, [])
            outline.modules.append(current)
        elif current is not None:
            current[1].append(page)
            if isinstance(page, LessonPage):
                outline.lessons.append(page)
            elif isinstance(page, QuizPage):
                outline.quizzes.append(page)
    return outline


def completion_outline(course: CoursePage) -> CourseOutline:
    """Only what the completion rule needs (two queries; no modules, no page bodies)."""
    return CourseOutline(
        course=course,
        lessons=list(LessonPage.objects.live().descendant_of(course).only("pk")),
        quizzes=list(
            QuizPage.objects.live().descendant_of(course).only("pk", "pass_mark", "grading")
        ),
    )


def course_of(page) -> CoursePage | None:
    return CoursePage.objects.ancestor_of(page).first()


# --- access ------------------------------------------------------------------------------


def lesson_open_to(*, open_enrolment: bool, enrolled: bool) -> bool:
    """The course's rule for its lessons: open enrolment, or the reader is enrolled."""
    return open_enrolment or enrolled


def passes_restriction(restriction, *, user, request=None, group_ids=None) -> bool:
    """Wagtail's check of one view restriction (login, groups, password). With a request it
    is Wagtail's own (a password given in this session counts); without one a password is
    never taken as given."""
    if request is not None:
        return restriction.accept_request(request)
    kind = restriction.restriction_type
    if kind == PageViewRestriction.PASSWORD:
        return False
    if kind == PageViewRestriction.LOGIN:
        return user.is_authenticated
    if kind == PageViewRestriction.GROUPS and not user.is_superuser:
        if group_ids is None:
            group_ids = set(user.groups.values_list("pk", flat=True))
        return any(group.pk in group_ids for group in restriction.groups.all())
    return True


def _blocked_paths(user, pages) -> list[str]:
    """Paths of the view restrictions on ``pages`` or above them that ``user`` does not pass."""
    if not pages:
        return []
    ancestry = reduce(or_, (Page.objects.ancestor_of(p, inclusive=True) for p in pages))
    restrictions = list(
        PageViewRestriction.objects.filter(page__in=ancestry)
        .select_related("page")
        .prefetch_related("groups")
    )
    group_ids = set(user.groups.values_list("pk", flat=True)) if restrictions else set()
    return [
        r.page.path
        for r in restrictions
        if not passes_restriction(r, user=user, group_ids=group_ids)
    ]


def readable_lessons(*, user, ids) -> set[int]:
    """The lesson view's rule for a batch (search results): ids among ``ids`` of live lessons
    ``user`` may read — an active login with a directory person, the course open or the
    person enrolled (``lesson_open_to``), and every Wagtail view restriction on the lesson
    or above it passed (``passes_restriction``; no request, so never a password)."""
    if not (user.is_authenticated and user.is_active):
        return set()
    person = person_for_user(user)
    if person is None:
        return set()
    lessons = list(LessonPage.objects.live().filter(pk__in=ids).only("pk", "path", "depth"))
    if not lessons:
        return set()
    courses = list(
        reduce(or_, (CoursePage.objects.ancestor_of(lesson) for lesson in lessons)).only(
            "pk", "path", "open_enrolment"
        )
    )
    enrolled = set(
        Enrolment.objects.filter(person=person, course__in=courses).values_list(
            "course_id", flat=True
        )
    )
    blocked = _blocked_paths(user, lessons)
    readable = set()
    for lesson in lessons:
        course = next((c for c in courses if lesson.path.startswith(c.path)), None)
        if course is None or any(lesson.path.startswith(p) for p in blocked):
            continue
        if lesson_open_to(open_enrolment=course.open_enrolment, enrolled=course.pk in enrolled):
            readable.add(lesson.pk)
    return readable


def readable_courses(*, user, ids) -> set[int]:
    """Ids among ``ids`` of live courses whose page ``user`` may open (Wagtail's view
    restrictions on the course or above it passed; no request, so never a password)."""
    if not (user.is_authenticated and user.is_active):
        return set()
    courses = list(CoursePage.objects.live().filter(pk__in=ids).only("pk", "path", "depth"))
    blocked = _blocked_paths(user, courses)
    return {c.pk for c in courses if not any(c.path.startswith(p) for p in blocked)}


# --- grades and progress -----------------------------------------------------------------


def quiz_grade(*, person: Person, quiz: QuizPage, since) -> Decimal | None:
    """The quiz grade by its grading method over submitted attempts since ``since``."""
    scores = list(
        Attempt.objects.filter(
            person=person, quiz=quiz, started_at__gte=since, submitted_at__isnull=False
        )
        .order_by("started_at")
        .values_list("score", flat=True)
    )
    return grade_of(scores, quiz.grading)


def grade_of(scores: list[Decimal], method: str) -> Decimal | None:
    if not scores:
        return None
    if method == QuizPage.Grading.LAST:
        return scores[-1]
    if method == QuizPage.Grading.AVERAGE:
        return (sum(scores) / len(scores)).quantize(Decimal("0.01"))
    return max(scores)


@dataclass
class Progress:
    lessons_total: int
    lessons_done: int
    quizzes_total: int
    quizzes_passed: int
    score: Decimal | None  # average grade over the course's quizzes, once each has one
    started: bool

    @property
    def percent(self) -> int:
        total = self.lessons_total + self.quizzes_total
        done = self.lessons_done + self.quizzes_passed
        return round(100 * done / total) if total else 0

    @property
    def complete(self) -> bool:
        return (
            self.lessons_done == self.lessons_total
            and self.quizzes_passed == self.quizzes_total
            and self.lessons_total + self.quizzes_total > 0
        )


def course_progress(*, enrolment: Enrolment, outline: CourseOutline | None = None) -> Progress:
    """Completion rule: every live lesson opened and every live quiz passed in this cycle."""
    outline = outline or completion_outline(enrolment.course)
    person = enrolment.person
    viewed = set(
        LessonView.objects.filter(person=person, lesson__in=outline.lessons).values_list(
            "lesson_id", flat=True
        )
    )
    attempts = Attempt.objects.filter(
        person=person,
        quiz__in=outline.quizzes,
        started_at__gte=enrolment.cycle_started_at,
        submitted_at__isnull=False,
    ).values_list("quiz_id", "score", "started_at")
    return progress_of(
        lessons_total=len(outline.lessons),
        viewed=viewed,
        quizzes=[(q.pk, q.pass_mark, q.grading) for q in outline.quizzes],
        attempts=list(attempts),
    )


def progress_of(
    *,
    lessons_total: int,
    viewed: set[int],
    quizzes: list[tuple[int, int, str]],
    attempts: list[tuple[int, Decimal, datetime]],
) -> Progress:
    """Progress from lessons read and submitted (quiz id, score, started) attempts."""
    scores: dict[int, list] = {}
    for quiz_id, score, _started in sorted(attempts, key=lambda a: a[2]):
        scores.setdefault(quiz_id, []).append(score)
    passed = 0
    grades = []
    for quiz_id, pass_mark, grading in quizzes:
        grade = grade_of(scores.get(quiz_id, []), grading)
        if grade is not None:
            grades.append(grade)
            passed += grade >= pass_mark
    score = (
        (sum(grades) / len(grades)).quantize(Decimal("0.01"))
        if grades and len(grades) == len(quizzes)
        else None
    )
    return Progress(
        lessons_total=lessons_total,
        lessons_done=len(viewed),
        quizzes_total=len(quizzes),
        quizzes_passed=passed,
        score=score,
        started=bool(viewed or scores),
    )


@dataclass(frozen=True)
class Reader:
    person_id: int
    enrolment_id: int | None  # in the lesson's course; None when not enrolled
    cycle_started_at: datetime | None


def lesson_reader(*, user, course_id: int) -> Reader | None:
    """The user's person and their enrolment in the course: one query (values, no models)."""
    enrolled = FilteredRelation("enrolments", condition=Q(enrolments__course_id=course_id))
    rows = list(
        Person.objects.filter(user=user)
        .annotate(enrolled=enrolled)
        .order_by()  # at most one row: no sorting by name (a third of this query's cost)
        .values_list("id", "enrolled__id", "enrolled__cycle_started_at")
    )
    return Reader(*rows[0]) if rows else None


def lesson_progress(
    *, reader: Reader, lesson_ids: tuple[int, ...], quizzes: tuple[tuple[int, int, str], ...]
) -> tuple[set[int], list[tuple[int, Decimal, datetime]]]:
    """Lessons of the course the reader has read and, when enrolled, their submitted attempts
    in this cycle: one query."""
    rows = LessonView.objects.filter(
        person_id=reader.person_id, lesson_id__in=lesson_ids
    ).values_list("lesson_id", Value(None, output_field=DecimalField()), "first_viewed_at")
    if reader.enrolment_id is not None and quizzes:
        rows = rows.union(
            Attempt.objects.filter(
                person_id=reader.person_id,
                quiz_id__in=[q[0] for q in quizzes],
                started_at__gte=reader.cycle_started_at,
                submitted_at__isnull=False,
            )
            .order_by()
            .values_list("quiz_id", "score", "started_at"),
            all=True,
        )
    viewed, attempts = set(), []
    for page_id, score, at in rows:
        if page_id in lesson_ids:
            viewed.add(page_id)
        else:
            attempts.append((page_id, score, at))
    return viewed, attempts


def missing_prerequisites(*, person: Person, course: CoursePage) -> list[CoursePage]:
    required = list(course.prerequisites.all())
    if not required:
        return []
    done = set(
        Enrolment.objects.filter(
            person=person, course__in=required, completed_at__isnull=False
        ).values_list("course_id", flat=True)
    )
    return [c for c in required if c.pk not in done]


# --- status ------------------------------------------------------------------------------


class Status:
    COMPLETED = "completed"
    OVERDUE = "overdue"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"


def enrolment_status(enrolment: Enrolment, progress: Progress, on: date) -> str:
    if enrolment.completed_at:
        return Status.COMPLETED
    if enrolment.due_date and enrolment.due_date < on:
        return Status.OVERDUE
    return Status.IN_PROGRESS if progress.started else Status.NOT_STARTED


def certificate_state(certificate: Certificate, at=None) -> str:
    at = at or clock.now()
    if certificate.revoked_at:
        return "revoked"
    if certificate.expires_at and certificate.expires_at <= at:
        return "expired"
    return "valid"


def current_certificate(*, person: Person, course: CoursePage) -> Certificate | None:
    return (
        Certificate.objects.filter(person=person, course=course, revoked_at__isnull=True)
        .order_by("-issued_at")
        .first()
    )


@dataclass
class LearningRow:
    enrolment: Enrolment
    progress: Progress
    status: str
    certificate: Certificate | None


def learning_rows(enrolments) -> list[LearningRow]:
    on = today()
    outlines: dict[int, CourseOutline] = {}
    certs = {
        (c.person_id, c.course_id): c
        for c in Certificate.objects.filter(
            revoked_at__isnull=True,
            person_id__in={e.person_id for e in enrolments},
        ).order_by("issued_at")
    }
    rows = []
    for enrolment in enrolments:
        if enrolment.course_id not in outlines:
            outlines[enrolment.course_id] = completion_outline(enrolment.course)
        progress = course_progress(enrolment=enrolment, outline=outlines[enrolment.course_id])
        rows.append(
            LearningRow(
                enrolment=enrolment,
                progress=progress,
                status=enrolment_status(enrolment, progress, on),
                certificate=certs.get((enrolment.person_id, enrolment.course_id))
                if enrolment.completed_at
                else None,
            )
        )
    return rows


def my_learning(*, person: Person) -> dict[str, list[LearningRow]]:
    enrolments = list(Enrolment.objects.filter(person=person).select_related("course", "person"))
    groups: dict[str, list[LearningRow]] = {
        "assigned": [],
        Status.OVERDUE: [],
        Status.IN_PROGRESS: [],
        Status.COMPLETED: [],
    }
    for row in learning_rows(enrolments):
        if row.status == Status.COMPLETED:
            groups[Status.COMPLETED].append(row)
        elif row.status == Status.OVERDUE:
            groups[Status.OVERDUE].append(row)
        elif row.status == Status.IN_PROGRESS:
            groups[Status.IN_PROGRESS].append(row)
        else:
            groups["assigned"].append(row)
    return groups


# --- managers ----------------------------------------------------------------------------


def managed_units(user) -> list[OrgUnit] | None:
    """Units whose subtree the user manages; None means every unit (HR permission)."""
    if user.has_perm("training.view_training_report"):
        return None
    person = person_for_user(user)
    if person is None:
        return []
    at = clock.now()
    units = {}
    tag_filter = Q()
    for tag in MANAGER_TAGS:
        tag_filter |= Q(role_tags__contains=f" {tag} ")
    positions = (
        Position.objects.filter(tag_filter)
        .filter(Q(holder=person) | Q(acting_holder=person))
        .select_related("unit")
    )
    for pos in positions:
        if pos.holder_id == person.pk or pos.acting_at(at):
            units[pos.unit.pk] = pos.unit
    return list(units.values())


def can_manage_unit(user, unit: OrgUnit) -> bool:
    units = managed_units(user)
    return units is None or any(unit.path.startswith(u.path) for u in units)


def can_manage_person(user, person: Person) -> bool:
    units = managed_units(user)
    if units is None:
        return True
    paths = Position.objects.filter(Q(holder=person) | Q(acting_holder=person)).values_list(
        "unit__path", flat=True
    )
    return any(p.startswith(u.path) for p in paths for u in units)


@dataclass
class CourseSummary:
    course: CoursePage
    enrolled: int = 0
    completed: int = 0
    overdue: int = 0
    scores: list = field(default_factory=list)

    @property
    def completion_rate(self) -> int:
        return round(100 * self.completed / self.enrolled) if self.enrolled else 0

    @property
    def average_score(self) -> Decimal | None:
        if not self.scores:
            return None
        return (sum(self.scores) / len(self.scores)).quantize(Decimal("0.1"))


def unit_report(*, unit: OrgUnit, course: CoursePage | None = None):
    """Rows for every enrolment of people in the unit's subtree, and a summary per course."""
    people = people_in_unit(unit=unit, include_descendants=True)
    enrolments = Enrolment.objects.filter(person__in=people).select_related("course", "person")
    if course is not None:
        enrolments = enrolments.filter(course=course)
    rows = learning_rows(list(enrolments.order_by("course__title", "person__family_name_en")))
    summaries: dict[int, CourseSummary] = {}
    for row in rows:
        summary = summaries.setdefault(
            row.enrolment.course_id, CourseSummary(course=row.enrolment.course)
        )
        summary.enrolled += 1
        summary.completed += row.status == Status.COMPLETED
        summary.overdue += row.status == Status.OVERDUE
        if row.progress.score is not None:
            summary.scores.append(row.progress.score)
    return rows, list(summaries.values())
