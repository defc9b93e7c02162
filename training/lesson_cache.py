"""What every reader of a lesson sees alike, cached per lesson and language.

An entry holds the lesson's rendered title, body, video and previous/next links, and what
progress needs of its course (the live lessons, the live quizzes' pass marks). It is stamped
with the tree generation it was built under: any page saved, moved or deleted (a publish,
an unpublish, a new sibling, a renamed course), or a document, site or view restriction
saved, makes a new generation (``collab.core.generations``: every process sees it at once),
so the next request rebuilds. The generation is changed both at once (tests and this
process) and again after commit, so a reader racing the publish cannot keep old data under
the new generation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from collab.core import generations

from .models import CoursePage, LessonPage, QuizPage

ENTRY_SECONDS = 600
ENTRY_VERSION = 2
GENERATION_KEY = "training:lesson:generation"


@dataclass(frozen=True)
class LessonEntry:
    generation: str
    lesson_id: int
    title: str
    html: SafeString
    course_id: int
    course_title: str
    course_url: str
    open_enrolment: bool
    lesson_ids: tuple[int, ...]  # live lessons of the course
    quizzes: tuple[tuple[int, int, str], ...]  # live quizzes: (id, pass mark, grading)
    restricted: bool  # a Wagtail view restriction applies (checked per request)


def bump_generation() -> None:
    new_generation()
    transaction.on_commit(new_generation)


def new_generation() -> None:
    generations.bump(GENERATION_KEY)


def _entry_key(lesson_id: int, language: str) -> str:
    # The database's name too: a Redis shared by two databases never mixes their lessons.
    # ENTRY_VERSION changes with LessonEntry's fields: a deploy never unpickles an old shape.
    db = connection.settings_dict["NAME"]
    return f"training:lesson:{ENTRY_VERSION}:{db}:{lesson_id}:{language}"


def lesson_entry(lesson_id: int) -> LessonEntry | None:
    """The live lesson's entry in the active language; None if there is no such live lesson."""
    key = _entry_key(lesson_id, get_language() or "")
    generation = generations.current(GENERATION_KEY)
    entry = cache.get(key)
    if entry is not None and entry.generation == generation:
        return entry
    lesson = LessonPage.objects.live().select_related("video").filter(pk=lesson_id).first()
    if lesson is None:
        return None
    entry = build_entry(lesson, generation=generation)
    if entry is not None:
        cache.set(key, entry, ENTRY_SECONDS)
    return entry


def build_entry(lesson: LessonPage, *, generation: str = "") -> LessonEntry | None:
    """Read and render everything of the entry (also for previews, which are not cached)."""
    course = CoursePage.objects.ancestor_of(lesson).first()
    if course is None:
        return None
    siblings = list(lesson.get_siblings().live().specific())
    index = next((i for i, p in enumerate(siblings) if p.pk == lesson.pk), None)
    previous = siblings[index - 1] if index else None
    following = siblings[index + 1] if index is not None and index + 1 < len(siblings) else None
    course_url = course.get_url()
    html = render_to_string(
        "training/lesson_content.html",
        {
            "page": lesson,
            "previous": _link(previous),
            "next": _link(following),
            "course_url": course_url,
        },
    )
    return LessonEntry(
        generation=generation,
        lesson_id=lesson.pk,
        title=lesson.title,
        html=html,
        course_id=course.pk,
        course_title=course.title,
        course_url=course_url,
        open_enrolment=course.open_enrolment,
        lesson_ids=tuple(
            LessonPage.objects.live().descendant_of(course).values_list("pk", flat=True)
        ),
        quizzes=tuple(
            QuizPage.objects.live().descendant_of(course).values_list("pk", "pass_mark", "grading")
        ),
        restricted=bool(lesson.get_view_restrictions()),
    )


def _link(page) -> dict | None:
    # Specific pages: a lesson's URL is its short link (LessonPage.get_url_parts).
    return None if page is None else {"title": page.title, "url": page.get_url()}
