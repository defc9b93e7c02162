"""Wagtail view restrictions hold on our short links too: the lesson link, enrol and quiz
start do not go through Wagtail's serve view, so they check the course's restrictions."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageViewRestriction

from training.models import Attempt, Enrolment
from training.services import enrolment as enrolment_services

from .conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client, course, trainee):
    enrolment_services.enrol(person=trainee, course=course.course)
    client.force_login(trainee.user)
    return client


def restrict(page, kind, **fields) -> PageViewRestriction:
    return PageViewRestriction.objects.create(page=page, restriction_type=kind, **fields)


def password_action(restriction, page) -> str:
    return reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk])


def test_a_password_on_the_course_asks_for_it_on_the_lesson_link_then_serves(course, reader):
    assert reader.get(course.lesson.url).status_code == 200  # cached as unrestricted
    restriction = restrict(course.course, PageViewRestriction.PASSWORD, password="ward-7")

    asked = reader.get(course.lesson.url)
    assert asked.status_code == 200
    body = asked.content.decode()
    assert 'name="password"' in body and "Wash your hands" not in body
    assert asked["Cache-Control"].startswith("max-age=0")

    action = password_action(restriction, course.lesson)
    wrong = reader.post(action, {"password": "nope", "return_url": course.lesson.url})
    assert "Wash your hands" not in reader.get(course.lesson.url).content.decode()
    assert wrong.status_code == 200
    passed = reader.post(action, {"password": "ward-7", "return_url": course.lesson.url})
    assert passed.status_code == 302 and passed["Location"] == course.lesson.url
    assert "Wash your hands" in reader.get(course.lesson.url).content.decode()


def test_a_group_restriction_sends_outsiders_to_log_in_and_lets_members_read(
    course, reader, trainee
):
    nurses = Group.objects.create(name="Nurses")
    restrict(course.module, PageViewRestriction.GROUPS).groups.add(nurses)

    refused = reader.get(course.lesson.url)
    assert refused.status_code == 302 and "/login/" in refused["Location"]

    trainee.user.groups.add(nurses)
    assert "Wash your hands" in reader.get(course.lesson.url).content.decode()


def test_lifting_the_restriction_shows_on_the_next_request(course, reader):
    restriction = restrict(course.course, PageViewRestriction.PASSWORD, password="ward-7")
    assert "Wash your hands" not in reader.get(course.lesson.url).content.decode()
    restriction.delete()
    assert "Wash your hands" in reader.get(course.lesson.url).content.decode()


def test_enrol_and_quiz_start_are_refused_until_the_password_is_given(client, course, units):
    person = make_person("walkin", unit=units.centre)
    client.force_login(person.user)
    restriction = restrict(course.course, PageViewRestriction.PASSWORD, password="ward-7")

    start = reverse("training:start", args=[course.quiz.pk])
    refused = client.post(reverse("training:enrol", args=[course.course.pk]))
    assert refused.status_code == 403
    assert "This course is restricted" in refused.content.decode()
    assert not Enrolment.objects.filter(person=person).exists()

    enrolment_services.enrol(person=person, course=course.course)  # e.g. assigned
    page = client.post(start)
    api = client.post(f"/api/v1/training/quizzes/{course.quiz.pk}/attempts")
    assert page.status_code == 403 and api.status_code == 403
    assert api.json()["code"] == "restricted"
    assert not Attempt.objects.filter(person=person).exists()

    action = password_action(restriction, course.course)
    client.post(action, {"password": "ward-7", "return_url": course.course.url})
    assert client.post(start).status_code == 302
    assert Attempt.objects.filter(person=person).count() == 1


def test_pages_served_from_the_tree_keep_wagtails_restrictions(course, reader, trainee):
    """The training pages are rendered by the app's views from an on_serve_page hook, inside
    Wagtail's restriction check: a course and its quiz refuse outsiders there too."""
    nurses = Group.objects.create(name="Nurses")
    restrict(course.course, PageViewRestriction.GROUPS).groups.add(nurses)
    for url in (course.course.url, course.quiz.url):
        refused = reader.get(url)
        assert refused.status_code == 302 and "/login/" in refused["Location"], url

    trainee.user.groups.add(nurses)
    assert course.course.title in reader.get(course.course.url).content.decode()
    assert reader.get(course.quiz.url).status_code == 200
