"""The lesson page: its shared part is cached per lesson and language, so every change that
shows on it must show on the next request (publish, new sibling, progress, enrolment)."""

import re

import pytest
from django.test import Client, RequestFactory

from collab.core import clock
from training.models import Enrolment, LessonPage
from training.services import enrolment as enrolment_services

from .conftest import build_course, make_person
from .test_completion_certificates import pass_quiz


def progress_of(page) -> int | None:
    found = re.search(r'<progress max="100" value="(\d+)">', page.content.decode())
    return int(found[1]) if found else None


@pytest.fixture
def reader(client, course, trainee):
    enrolment_services.enrol(person=trainee, course=course.course)
    client.force_login(trainee.user)
    return client


def test_a_published_revision_shows_on_the_next_request_in_both_languages(course, reader):
    reader.get(course.lesson.url)  # the entry is cached now; a hit renders the same
    assert "<p>Wash your hands" in reader.get(course.lesson.url).content.decode()
    lesson = LessonPage.objects.get(pk=course.lesson.pk)
    lesson.title = "Lesson one, revised"
    lesson.body = [("text", "<p>Use alcohol rub. ប្រើអាល់កុល។</p>")]
    lesson.save_revision().publish()
    for language in ("km", "en"):
        reader.post("/i18n/setlang/", {"language": language})
        body = reader.get(course.lesson.url).content.decode()
        assert "Use alcohol rub" in body and "Lesson one, revised" in body, language
        assert "Wash your hands" not in body


def test_an_unpublished_lesson_is_gone_on_the_next_request(course, reader):
    assert reader.get(course.lesson.url).status_code == 200
    LessonPage.objects.get(pk=course.lesson.pk).unpublish()
    assert reader.get(course.lesson.url).status_code == 404


def test_a_new_sibling_moved_next_and_a_renamed_course_show_on_the_next_request(course, reader):
    first = reader.get(course.lesson.url)
    assert progress_of(first) == 50  # one lesson of a lesson and a quiz
    assert f'href="{course.quiz.url}"' in first.content.decode()  # next: the quiz
    second = course.module.add_child(
        instance=LessonPage(title="Lesson 2", slug="l2", body=[("text", "<p>Gloves.</p>")])
    )
    assert progress_of(reader.get(course.lesson.url)) == 33  # one of two lessons and a quiz
    second.move(course.lesson, pos="right")  # between the first lesson and the quiz
    course.course.title = "Infection prevention and control"
    course.course.save_revision().publish()
    page = reader.get(course.lesson.url)
    body = page.content.decode()
    assert f'href="/learning/lessons/{second.pk}/"' in body and "Lesson 2" in body
    assert "Infection prevention and control" in body


def test_progress_shows_on_the_next_request_in_khmer(course, trainee, reader):
    reader.post("/i18n/setlang/", {"language": "km"})
    page = reader.get(course.lesson.url)
    assert progress_of(page) == 50 and "បានធ្វើរួច 50%" in page.content.decode()
    pass_quiz(trainee, course.quiz)
    assert progress_of(reader.get(course.lesson.url)) == 100


def test_the_first_view_is_recorded_and_counts_at_once(course, trainee, reader):
    assert not trainee.lesson_views.exists()
    assert progress_of(reader.get(course.lesson.url)) == 50
    assert list(trainee.lesson_views.values_list("lesson_id", flat=True)) == [course.lesson.pk]


def test_an_enrolment_change_shows_on_the_next_request(client, db, trainee):
    closed = build_course(slug="closed", open_enrolment=False)
    client.force_login(trainee.user)
    assert client.get(closed.lesson.url).status_code == 403
    now = clock.now()
    enrolment = Enrolment.objects.create(
        person=trainee,
        course=closed.course,
        source=Enrolment.Source.ASSIGNED,
        enrolled_at=now,
        cycle_started_at=now,
    )
    page = client.get(closed.lesson.url)
    assert page.status_code == 200 and progress_of(page) == 50
    enrolment.delete()
    assert client.get(closed.lesson.url).status_code == 403


def test_an_open_course_reads_without_enrolment_and_shows_progress_once_enrolled(
    client, course, trainee
):
    client.force_login(trainee.user)
    page = client.get(course.lesson.url)
    assert page.status_code == 200 and progress_of(page) is None
    enrolment_services.enrol(person=trainee, course=course.course)
    assert progress_of(client.get(course.lesson.url)) == 50  # read before enrolling counts


def test_a_renewal_cycle_shows_the_quiz_as_not_passed_again(course, trainee, reader):
    pass_quiz(trainee, course.quiz)
    assert progress_of(reader.get(course.lesson.url)) == 100
    enrolment = Enrolment.objects.get(person=trainee, course=course.course)
    enrolment_services.start_renewal(enrolment=enrolment)
    assert progress_of(reader.get(course.lesson.url)) == 50


def test_logins_without_a_person_and_visitors_are_refused(client, course, django_user_model):
    assert client.get(course.lesson.url).status_code == 302
    client.force_login(django_user_model.objects.create_user("ghost", password="x-9-long-pw"))
    page = client.get(course.lesson.url)
    assert page.status_code == 403 and "not linked to a person" in page.content.decode()


def test_a_preview_shows_the_draft_and_readers_keep_the_published_lesson(course, reader):
    editor = make_person("editor", staff=True)
    editing = Client()
    editing.force_login(editor.user)
    draft = LessonPage.objects.get(pk=course.lesson.pk)
    draft.body = [("text", "<p>Draft: masks. ម៉ាស។</p>")]
    cookie = f"sessionid={editing.cookies['sessionid'].value}"
    preview = draft.make_preview_request(RequestFactory().get("/", HTTP_COOKIE=cookie))
    assert preview.status_code == 200 and "Draft: masks" in preview.content.decode()
    assert not editor.lesson_views.exists()  # previews are not reading
    body = reader.get(course.lesson.url).content.decode()
    assert "Wash your hands" in body and "Draft: masks" not in body
