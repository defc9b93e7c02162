from .pages import CoursePage, LessonPage, ModulePage, QuizBankDraw, QuizPage, TrainingIndexPage
from .progress import (
    Assignment,
    Attempt,
    AttemptAnswer,
    Certificate,
    Enrolment,
    LessonView,
    Reminder,
)
from .questions import Choice, Question, QuestionBank

__all__ = [
    "Assignment",
    "Attempt",
    "AttemptAnswer",
    "Certificate",
    "Choice",
    "CoursePage",
    "Enrolment",
    "LessonPage",
    "LessonView",
    "ModulePage",
    "Question",
    "QuestionBank",
    "QuizBankDraw",
    "QuizPage",
    "Reminder",
    "TrainingIndexPage",
]
