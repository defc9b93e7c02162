"""A small directory (ministry → province → district → health centre), people with logins,
and one course of two modules: a lesson, and a quiz drawing one question of each type."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from collab.core import clock
from collab.directory.models import OrgUnit, Person, Position
from training.models import (
    Choice,
    CoursePage,
    LessonPage,
    ModulePage,
    Question,
    QuestionBank,
    QuizBankDraw,
    QuizPage,
)
from training.services.tree import ensure_training_index

PASSWORD = "training-test-pw-9"


@pytest.fixture(autouse=True)
def _default_language_after(settings):
    """Leave the default language active for the next test."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def clock_offset(settings, tmp_path):
    """Move the suite's clock (days) for this test only; isolated from other tests' data dir."""
    settings.DATA_DIR = tmp_path

    def move(days: float = 0, seconds: float = 0) -> None:
        clock.set_offset(days * 86400 + seconds)

    yield move
    clock.set_offset(None)


def make_person(
    username: str,
    *,
    unit: OrgUnit | None = None,
    tags: str = "",
    km: tuple[str, str] = ("", ""),
    staff: bool = False,
) -> Person:
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=staff)
    person = Person.objects.create(
        user=user,
        employee_id=f"E-{username}",
        family_name_en=username.title(),
        given_name_en="Test",
        family_name_km=km[0],
        given_name_km=km[1],
    )
    if unit is not None:
        Position.objects.create(
            unit=unit, title_en=f"{username} post", holder=person, role_tags=tags
        )
    return person


@dataclass
class Directory:
    ministry: OrgUnit
    province: OrgUnit
    district: OrgUnit
    centre: OrgUnit
    other: OrgUnit


@pytest.fixture
def units(db) -> Directory:
    ministry = OrgUnit.objects.create(
        code="TMOH", kind="ministry", name_en="Ministry", name_km="ក្រសួង"
    )
    province = OrgUnit.objects.create(
        code="TPHD", kind="phd", name_en="Province", name_km="មន្ទីរ", parent=ministry
    )
    district = OrgUnit.objects.create(
        code="TOD", kind="od", name_en="District", name_km="ស្រុក", parent=province
    )
    centre = OrgUnit.objects.create(
        code="THC", kind="health_centre", name_en="Centre", name_km="មណ្ឌល", parent=district
    )
    other = OrgUnit.objects.create(
        code="TOTHER", kind="phd", name_en="Other", name_km="ផ្សេង", parent=ministry
    )
    return Directory(ministry, province, district, centre, other)


def add_question(bank, kind, prompt, choices=(), **fields) -> Question:
    question = Question(bank=bank, kind=kind, prompt=prompt, **fields)
    for i, spec in enumerate(choices):
        text, correct, *rest = spec
        question.choices.add(
            Choice(
                text=text,
                is_correct=correct,
                sort_order=i,
                match_text=rest[0] if rest else "",
                feedback=rest[1] if len(rest) > 1 else "",
            )
        )
    question.save()
    return question


def build_bank(title="All types") -> QuestionBank:
    bank = QuestionBank.objects.create(title=title)
    K = Question.Kind
    add_question(
        bank,
        K.SINGLE,
        "Capital of Cambodia?",
        [("Phnom Penh", True, "", "Yes."), ("Siem Reap", False, "", "No: a province.")],
    )
    add_question(
        bank,
        K.MULTIPLE,
        "Which are vaccines?",
        [("BCG", True), ("OPV", True), ("Paracetamol", False)],
    )
    add_question(bank, K.TRUE_FALSE, "Water boils at 100 °C at sea level.", true_false_answer=True)
    add_question(bank, K.SHORT, "Hand hygiene product?", [("Soap", True), (" សាប៊ូ", True)])
    add_question(
        bank,
        K.NUMERIC,
        "Normal body temperature (°C)?",
        numeric_answer=Decimal("37"),
        numeric_tolerance=Decimal("0.5"),
    )
    add_question(
        bank, K.ORDERING, "Order the steps.", [("Wash", True), ("Rinse", True), ("Dry", True)]
    )
    add_question(
        bank, K.MATCHING, "Match.", [("BCG", True, "Tuberculosis"), ("OPV", True, "Polio")]
    )
    return bank


@dataclass
class Course:
    course: CoursePage
    module: ModulePage
    lesson: LessonPage
    quiz: QuizPage
    bank: QuestionBank


def build_course(
    *,
    title="Infection prevention",
    slug="ipc",
    bank=None,
    open_enrolment=True,
    validity_months=0,
    **quiz_fields,
) -> Course:
    index = ensure_training_index()
    course = index.add_child(
        instance=CoursePage(
            title=title,
            slug=slug,
            open_enrolment=open_enrolment,
            certificate_validity_months=validity_months,
        )
    )
    module = course.add_child(instance=ModulePage(title="Module 1", slug="m1"))
    lesson = module.add_child(
        instance=LessonPage(
            title="Lesson 1",
            slug="l1",
            body=[("heading", "Why"), ("text", "<p>Wash your hands. លាងដៃ។</p>")],
        )
    )
    bank = bank or build_bank(f"{title} bank")
    quiz = QuizPage(title="Quiz", slug="quiz", **({"pass_mark": 70} | quiz_fields))
    quiz.draws.add(QuizBankDraw(bank=bank, count=0))
    module.add_child(instance=quiz)
    return Course(course, module, lesson, QuizPage.objects.get(pk=quiz.pk), bank)


@pytest.fixture
def course(db) -> Course:
    return build_course()


@pytest.fixture
def trainee(units) -> Person:
    return make_person("trainee", unit=units.centre, km=("សុខ", "ដារា"))


def correct_response(question: Question) -> dict:
    K = Question.Kind
    choices = list(question.choices.all())
    if question.kind == K.SINGLE:
        return {"choice": next(c.id for c in choices if c.is_correct)}
    if question.kind == K.MULTIPLE:
        return {"choices": [c.id for c in choices if c.is_correct]}
    if question.kind == K.TRUE_FALSE:
        return {"value": question.true_false_answer}
    if question.kind == K.SHORT:
        return {"text": choices[0].text}
    if question.kind == K.NUMERIC:
        return {"value": str(question.numeric_answer)}
    if question.kind == K.ORDERING:
        return {"order": [c.id for c in choices]}
    return {"pairs": {str(c.id): c.id for c in choices}}


def later(days: float):
    return clock.now() + timedelta(days=days)
