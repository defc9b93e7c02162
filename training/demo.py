"""Demo data (run by ``manage.py seed_demo``): one mandatory course in Khmer with a quiz,
assigned to the demo hospital. Idempotent: keyed on slugs, titles and the unit code."""

import datetime
from decimal import Decimal

from collab.directory.models import OrgUnit

from .models import (
    Assignment,
    Choice,
    CoursePage,
    LessonPage,
    ModulePage,
    Question,
    QuestionBank,
    QuizBankDraw,
    QuizPage,
)
from .selectors import today
from .services.assignments import create_assignment
from .services.tree import ensure_training_index

COURSE_SLUG = "infection-prevention"
DEMO_UNIT = "PRH-05"
BANK_TITLE = "ការការពារការឆ្លងមេរោគ — សំណួរ"

LESSON_BODY = [
    ("heading", "ហេតុអ្វីត្រូវលាងដៃ?"),
    (
        "text",
        "<p>ការលាងដៃឱ្យបានត្រឹមត្រូវ គឺជាវិធានការដ៏សំខាន់បំផុត ដើម្បីការពារការឆ្លងមេរោគ"
        "ក្នុងមណ្ឌលសុខភាព និងមន្ទីរពេទ្យ។</p>"
        "<p>Correct hand hygiene is the single most important measure against "
        "infections acquired in health facilities.</p>",
    ),
    ("heading", "ពេលវេលាទាំងប្រាំ / The five moments"),
    (
        "text",
        "<ol><li>មុនពេលប៉ះអ្នកជំងឺ</li><li>មុនពេលធ្វើនីតិវិធីស្អាត</li>"
        "<li>ក្រោយពេលប៉ះសារធាតុរាវពីរាងកាយ</li><li>ក្រោយពេលប៉ះអ្នកជំងឺ</li>"
        "<li>ក្រោយពេលប៉ះបរិស្ថានជុំវិញអ្នកជំងឺ</li></ol>",
    ),
    ("text", "<p>លាងដៃដោយសាប៊ូ និងទឹកយ៉ាងហោចណាស់ ៤០ វិនាទី ឬប្រើជែលអាល់កុល ២០ វិនាទី។</p>"),
]

QUESTIONS = [
    (
        Question.Kind.SINGLE,
        "តើរយៈពេលលាងដៃដោយសាប៊ូ និងទឹក យ៉ាងហោចណាស់ប៉ុន្មាន?",
        [("៤០ វិនាទី", True, "ត្រឹមត្រូវ។"), ("៥ វិនាទី", False, "ខ្លីពេក។"), ("១០ នាទី", False, "វែងពេក។")],
        {},
    ),
    (Question.Kind.TRUE_FALSE, "ត្រូវលាងដៃមុនពេលប៉ះអ្នកជំងឺ។", [], {"true_false_answer": True}),
    (
        Question.Kind.MULTIPLE,
        "តើមួយណាខ្លះជាពេលវេលាលាងដៃ?",
        [
            ("មុនពេលប៉ះអ្នកជំងឺ", True, ""),
            ("ក្រោយពេលប៉ះអ្នកជំងឺ", True, ""),
            ("ពេលញ៉ាំអាហាររួច ប៉ុណ្ណោះ", False, "មិនមែនតែប៉ុណ្ណឹងទេ។"),
        ],
        {},
    ),
    (
        Question.Kind.NUMERIC,
        "តើមានពេលវេលាលាងដៃប៉ុន្មាន?",
        [],
        {"numeric_answer": Decimal(5), "numeric_tolerance": Decimal(0)},
    ),
]


def _bank() -> QuestionBank:
    bank, _ = QuestionBank.objects.get_or_create(title=BANK_TITLE)
    if not bank.questions.exists():
        for kind, prompt, choices, fields in QUESTIONS:
            question = Question(
                bank=bank,
                kind=kind,
                prompt=prompt,
                feedback_incorrect="សូមអានមេរៀនម្តងទៀត។",
                **fields,
            )
            for i, (text, correct, feedback) in enumerate(choices):
                question.choices.add(
                    Choice(text=text, is_correct=correct, feedback=feedback, sort_order=i)
                )
            question.save()
    return bank


def _course() -> CoursePage:
    existing = CoursePage.objects.filter(slug=COURSE_SLUG).first()
    if existing:
        return existing
    index = ensure_training_index()
    course = index.add_child(
        instance=CoursePage(
            title="ការការពារ និងត្រួតពិនិត្យការឆ្លងមេរោគ",
            slug=COURSE_SLUG,
            summary="អនាម័យដៃ និងពេលវេលាទាំងប្រាំ — Hand hygiene and the five moments",
            open_enrolment=True,
            certificate_validity_months=24,
            estimated_minutes=20,
        )
    )
    module = course.add_child(instance=ModulePage(title="អនាម័យដៃ", slug="hand-hygiene"))
    module.add_child(instance=LessonPage(title="ការលាងដៃ", slug="hand-washing", body=LESSON_BODY))
    quiz = QuizPage(
        title="តេស្តអនាម័យដៃ",
        slug="quiz",
        pass_mark=70,
        time_limit_minutes=15,
        max_attempts=3,
        grading=QuizPage.Grading.HIGHEST,
    )
    quiz.draws.add(QuizBankDraw(bank=_bank(), count=0))
    module.add_child(instance=quiz)
    return course


def seed() -> None:
    course = _course()
    unit = OrgUnit.objects.filter(code=DEMO_UNIT).first()
    if unit is None or Assignment.objects.filter(course=course, unit=unit).exists():
        return
    create_assignment(
        course=course,
        unit=unit,
        include_descendants=True,
        due_date=today() + datetime.timedelta(days=30),
        mandatory=True,
    )
