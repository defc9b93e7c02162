"""Manager report per org unit and its CSV; My learning; lesson page cost."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from training import selectors
from training.services import enrolment as enrolment_services
from training.services.assignments import create_assignment

from .conftest import make_person
from .test_completion_certificates import pass_quiz


@pytest.fixture
def team(client, course, units):
    head = make_person("head", unit=units.district, tags="unit-head")
    done = make_person("done", unit=units.centre, km=("ចាន់", "ស្រីពៅ"))
    late = make_person("late", unit=units.centre)
    make_person("outsider", unit=units.other)
    past = selectors.today() - datetime.timedelta(days=3)
    create_assignment(course=course.course, unit=units.district, due_date=past)
    client.force_login(done.user)
    client.get(course.lesson.url)
    pass_quiz(done, course.quiz)
    client.force_login(head.user)
    return {"head": head, "done": done, "late": late}


def test_unit_report_shows_completion_rate_overdue_people_and_scores(client, team, units):
    page = client.get(f"/learning/reports/{units.district.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-test="rate">33%' in body  # head, done, late: one of three completed
    assert "Late Test" in body and "Outsider" not in body
    rows, summaries = selectors.unit_report(unit=units.district)
    assert summaries[0].overdue == 2 and summaries[0].average_score == 100


def test_csv_export_contents(client, team, units, course):
    r = client.get(f"/learning/reports/{units.district.pk}/?format=csv")
    assert r["Content-Type"].startswith("text/csv")
    content = r.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    by_id = {row["employee_id"]: row for row in rows}
    assert set(by_id) == {"E-head", "E-done", "E-late"}
    done = by_id["E-done"]
    assert done["name_km"] == "ចាន់ ស្រីពៅ" and done["status"] == "completed"
    assert done["score"] == "100.00" and done["progress_percent"] == "100"
    assert done["certificate"] == team["done"].certificates.get().code
    late = by_id["E-late"]
    assert (late["status"], late["mandatory"], late["course"]) == (
        "overdue",
        "yes",
        "Infection prevention",
    )
    assert late["due_date"] == (selectors.today() - datetime.timedelta(days=3)).isoformat()


def test_report_of_a_unit_outside_ones_own_is_refused(client, team, units):
    assert client.get(f"/learning/reports/{units.other.pk}/").status_code == 403
    assert client.get(f"/learning/reports/{units.other.pk}/?format=csv").status_code == 403
    client.force_login(team["late"].user)
    assert client.get(f"/learning/reports/{units.centre.pk}/").status_code == 403
    hr = make_person("hr")
    hr.user.user_permissions.add(Permission.objects.get(codename="view_training_report"))
    client.force_login(hr.user)
    assert client.get(f"/learning/reports/{units.other.pk}/").status_code == 200


def test_my_learning_groups_and_progress(client, team, course, units, db):
    from .conftest import build_course

    open_course = build_course(title="Hand hygiene", slug="hh")
    late = team["late"]
    enrolment_services.enrol(person=late, course=open_course.course)
    client.force_login(late.user)
    client.get(open_course.lesson.url)
    body = client.get("/learning/").content.decode()
    overdue = body.split('data-group="overdue"')[1].split("</section>")[0]
    in_progress = body.split('data-group="in_progress"')[1].split("</section>")[0]
    assert "Infection prevention" in overdue and "Hand hygiene" in in_progress
    assert 'value="50"' in in_progress  # one lesson of a lesson + a quiz
    api = client.get("/api/v1/training/my").json()
    assert {(i["title"], i["status"]) for i in api["items"]} == {
        ("Infection prevention", "overdue"),
        ("Hand hygiene", "in_progress"),
    }


def test_lesson_page_is_light_and_its_queries_are_pinned(client, course, trainee):
    enrolment_services.enrol(person=trainee, course=course.course)
    client.force_login(trainee.user)
    client.get(course.lesson.url)  # first view records progress
    with CaptureQueriesContext(connection) as captured:
        page = client.get(course.lesson.url)
    # user, person + enrolment, lessons read + attempts, the shell's unread count; the lesson,
    # its course and siblings come from the lesson cache. The session's own query (if the
    # session engine makes one) is the shell's business.
    tables = [re.search(r'FROM "(\w+)"', q["sql"])[1] for q in captured.captured_queries]
    tables = [t for t in tables if t != "django_session"]
    assert tables == [
        "auth_user",
        "directory_person",
        "training_lessonview",
        "notifications_recipient",
    ]
    body = page.content.decode()
    assert page.status_code == 200 and "លាងដៃ" in body
    assert len(page.content) < 100_000
    assert "<video" not in body  # no video on this lesson: nothing heavy


def test_quiz_submit_queries_are_bounded(course, trainee, django_assert_max_num_queries):
    from training.services import quiz as quiz_services

    enrolment_services.enrol(person=trainee, course=course.course)
    attempt = quiz_services.start_attempt(person=trainee, quiz=course.quiz)
    with django_assert_max_num_queries(20):
        quiz_services.submit_attempt(person=trainee, attempt=attempt)
