"""Attempts over the API: answers saved one by one, resume, limits enforced on the server."""

import json

import pytest

from training.models import Attempt, AttemptAnswer, Question
from training.services import enrolment as enrolment_services
from training.services import quiz as quiz_services

from .conftest import build_course, correct_response


@pytest.fixture
def client_in(client, trainee):
    client.force_login(trainee.user)
    return client


def api(client, method, path, body=None):
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(f"/api/v1/training{path}", **kwargs)


def answer_all(client, attempt_id, questions, *, right=True):
    for q in questions:
        question = Question.objects.get(pk=q)
        response = correct_response(question)
        if not right and question.kind == Question.Kind.TRUE_FALSE:
            response = {"value": not question.true_false_answer}
        position = AttemptAnswer.objects.get(attempt_id=attempt_id, question=question).position
        r = api(client, "put", f"/attempts/{attempt_id}/answers/{position}", {"response": response})
        assert r.status_code == 200, r.content


def test_start_needs_enrolment(client_in, course):
    r = api(client_in, "post", f"/quizzes/{course.quiz.pk}/attempts")
    assert r.status_code == 403
    assert r.json()["code"] == "not_enrolled"


def test_questions_are_sent_without_any_answer_and_scored_only_on_submit(
    client_in, course, trainee
):
    enrolment_services.enrol(person=trainee, course=course.course)
    r = api(client_in, "post", f"/quizzes/{course.quiz.pk}/attempts")
    assert r.status_code == 200
    body = r.json()
    assert {q["kind"] for q in body["questions"]} == set(Question.Kind.values)
    text = r.content.decode()
    for secret in (
        "is_correct",
        "correct",
        "true_false_answer",
        "numeric_answer",
        "feedback",
        'Tuberculosis", "id": ',
        "tolerance",
    ):
        assert secret not in text
    matching = next(q for q in body["questions"] if q["kind"] == "matching")
    assert {t["text"] for t in matching["targets"]} == {"Tuberculosis", "Polio"}

    attempt_id = body["id"]
    answer_all(client_in, attempt_id, course.bank.questions.values_list("pk", flat=True))
    saved = api(
        client_in,
        "put",
        f"/attempts/{attempt_id}/answers/1",
        {"response": body["questions"][0]["response"] or {}},
    )
    assert "correct" not in saved.content.decode()  # saving says nothing about correctness

    result = api(client_in, "post", f"/attempts/{attempt_id}/submit").json()
    assert result["score"] == "100.00" and result["passed"] is True
    assert all(a["correct"] for a in result["answers"])
    assert any("Yes." in a["feedback"] for a in result["answers"])


def test_bad_answer_gets_a_precise_error_and_keeps_the_saved_one(client_in, course, trainee):
    enrolment_services.enrol(person=trainee, course=course.course)
    attempt = quiz_services.start_attempt(person=trainee, quiz=course.quiz)
    numeric = AttemptAnswer.objects.get(attempt=attempt, question__kind="numeric")
    url = f"/attempts/{attempt.pk}/answers/{numeric.position}"
    assert api(client_in, "put", url, {"response": {"value": "37,2"}}).status_code == 200
    r = api(client_in, "put", url, {"response": {"value": "hot"}})
    assert r.status_code == 422
    assert "not a number" in r.json()["message"]
    numeric.refresh_from_db()
    assert numeric.response == {"value": "37.2"}
    r = api(client_in, "put", url, {"answer": 1})
    assert r.status_code == 422 and "response" in r.json()["message"]
    assert (
        api(client_in, "put", f"/attempts/{attempt.pk}/answers/99", {"response": {}}).status_code
        == 404
    )


def test_interrupted_attempt_resumes_with_its_answers_and_order(client_in, course, trainee):
    enrolment_services.enrol(person=trainee, course=course.course)
    first = api(client_in, "post", f"/quizzes/{course.quiz.pk}/attempts").json()
    single = next(q for q in first["questions"] if q["kind"] == "single")
    choice = single["options"][0]["id"]
    api(
        client_in,
        "put",
        f"/attempts/{first['id']}/answers/{single['position']}",
        {"response": {"choice": choice}},
    )
    # The connection drops; the trainee comes back later from another page.
    again = api(client_in, "post", f"/quizzes/{course.quiz.pk}/attempts").json()
    assert again["id"] == first["id"]
    assert [q["prompt"] for q in again["questions"]] == [q["prompt"] for q in first["questions"]]
    resumed = next(q for q in again["questions"] if q["position"] == single["position"])
    assert resumed["options"] == single["options"]
    assert resumed["response"] == {"choice": choice}
    page = client_in.get(f"/learning/attempts/{first['id']}/")
    assert f'value="{choice}" checked' in page.content.decode()


def test_attempt_limit_is_enforced_on_the_server(client_in, db, trainee, units):
    course = build_course(slug="limit", max_attempts=2)
    enrolment_services.enrol(person=trainee, course=course.course)
    for _ in range(2):
        attempt = quiz_services.start_attempt(person=trainee, quiz=course.quiz)
        quiz_services.submit_attempt(person=trainee, attempt=attempt)
    r = api(client_in, "post", f"/quizzes/{course.quiz.pk}/attempts")
    assert r.status_code == 403 and r.json()["code"] == "attempt_limit"
    assert Attempt.objects.filter(person=trainee).count() == 2
    page = client_in.post(f"/learning/quizzes/{course.quiz.pk}/start/")
    assert page.status_code == 403


def test_time_limit_refuses_late_answers_and_grades_what_was_saved(
    client_in, db, trainee, clock_offset
):
    course = build_course(slug="timed", time_limit_minutes=10)
    enrolment_services.enrol(person=trainee, course=course.course)
    attempt = quiz_services.start_attempt(person=trainee, quiz=course.quiz)
    tf = AttemptAnswer.objects.select_related("question").get(
        attempt=attempt, question__kind="true_false"
    )
    url = f"/attempts/{attempt.pk}/answers/{tf.position}"
    assert api(client_in, "put", url, {"response": {"value": True}}).status_code == 200
    clock_offset(seconds=11 * 60)
    late = api(client_in, "put", f"/attempts/{attempt.pk}/answers/1", {"response": {"value": "1"}})
    assert late.status_code == 409 and late.json()["code"] == "time_up"
    result = api(client_in, "post", f"/attempts/{attempt.pk}/submit").json()
    assert result["timed_out"] is True
    assert result["score"] == "14.29"  # one question of seven
    attempt.refresh_from_db()
    assert attempt.submitted_at <= attempt.deadline + quiz_services.DEADLINE_GRACE


def test_expired_attempt_is_closed_when_the_trainee_comes_back(db, trainee, clock_offset):
    course = build_course(slug="timed2", time_limit_minutes=5)
    enrolment_services.enrol(person=trainee, course=course.course)
    first = quiz_services.start_attempt(person=trainee, quiz=course.quiz)
    clock_offset(seconds=6 * 60)
    second = quiz_services.start_attempt(person=trainee, quiz=course.quiz)
    first.refresh_from_db()
    assert second.pk != first.pk and first.timed_out and first.score == 0


@pytest.mark.parametrize(("method", "expected"), [("highest", 100), ("last", 0), ("average", 50)])
def test_grading_methods(db, trainee, method, expected):
    from training import selectors

    course = build_course(slug=f"g-{method}", grading=method, max_attempts=0)
    enrolment_services.enrol(person=trainee, course=course.course)
    for right in (True, False):
        attempt = quiz_services.start_attempt(person=trainee, quiz=course.quiz)
        if right:
            for answer in attempt.answers.select_related("question"):
                quiz_services.save_answer(
                    person=trainee,
                    attempt=attempt,
                    position=answer.position,
                    response=correct_response(answer.question),
                )
        quiz_services.submit_attempt(person=trainee, attempt=attempt)
    enrolment = trainee.enrolments.get()
    grade = selectors.quiz_grade(person=trainee, quiz=course.quiz, since=enrolment.cycle_started_at)
    assert grade == expected


def test_someone_elses_attempt_is_not_reachable(client, course, trainee, units):
    from .conftest import make_person

    enrolment_services.enrol(person=trainee, course=course.course)
    attempt = quiz_services.start_attempt(person=trainee, quiz=course.quiz)
    client.force_login(make_person("intruder", unit=units.centre).user)
    assert api(client, "get", f"/attempts/{attempt.pk}").status_code == 404
    assert (
        api(
            client, "put", f"/attempts/{attempt.pk}/answers/1", {"response": {"value": True}}
        ).status_code
        == 404
    )
    assert client.get(f"/learning/attempts/{attempt.pk}/").status_code == 404


def test_html_form_path_saves_and_submits_without_javascript(client_in, course, trainee):
    enrolment_services.enrol(person=trainee, course=course.course)
    r = client_in.post(f"/learning/quizzes/{course.quiz.pk}/start/")
    attempt = Attempt.objects.get(person=trainee)
    assert r.url == f"/learning/attempts/{attempt.pk}/"
    data = {}
    for answer in attempt.answers.select_related("question"):
        q, name = answer.question, f"q{answer.position}"
        right = correct_response(q)
        if q.kind in ("single",):
            data[name] = right["choice"]
        elif q.kind == "multiple":
            data[name] = right["choices"]
        elif q.kind == "true_false":
            data[name] = "true" if right["value"] else "false"
        elif q.kind == "short":
            data[name] = right["text"]
        elif q.kind == "numeric":
            data[name] = right["value"]
        elif q.kind == "ordering":
            for rank, cid in enumerate(right["order"], start=1):
                data[f"{name}-{cid}"] = rank
        else:
            for left, target in right["pairs"].items():
                data[f"{name}-{left}"] = target
    r = client_in.post(f"/learning/attempts/{attempt.pk}/submit/", data)
    assert r.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 100
    page = client_in.get(r.url).content.decode()
    assert "Attempt 1: 100%" in page and "100.00" not in page and "Yes." in page


def test_random_draw_takes_n_distinct_questions_and_shuffles_choices_per_attempt(db, trainee):
    from training.models import QuizBankDraw

    from .conftest import build_bank

    bank = build_bank("Big bank")
    course = build_course(slug="draw", bank=bank, max_attempts=0)
    QuizBankDraw.objects.filter(quiz=course.quiz).update(count=3)
    enrolment_services.enrol(person=trainee, course=course.course)
    seen = set()
    orders = []
    # Each attempt draws 3 of 7, so the multiple-choice question comes up in about 3 of 7
    # attempts; drawing until it has come up ten times makes "all orders alike" a 1-in-10^7
    # event instead of a once-a-week CI failure.
    for _ in range(80):
        attempt = quiz_services.start_attempt(person=trainee, quiz=course.quiz)
        drawn = list(attempt.answers.values_list("question_id", flat=True))
        assert len(drawn) == len(set(drawn)) == 3
        assert set(drawn) <= set(bank.questions.values_list("pk", flat=True))
        seen |= set(drawn)
        orders += [tuple(a.choice_order) for a in attempt.answers.filter(question__kind="multiple")]
        quiz_services.submit_attempt(person=trainee, attempt=attempt)
        if len(seen) > 3 and len(orders) >= 10:
            break
    assert len(orders) >= 10
    assert len(set(orders)) > 1  # choices were shuffled


def test_operators_can_open_the_editing_screens(client, course, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", password="x-9-long-pw")
    client.force_login(admin)
    for url in (
        f"/cms/pages/add/training/quizpage/{course.module.pk}/",
        f"/cms/pages/{course.quiz.pk}/edit/",
        f"/cms/pages/{course.lesson.pk}/edit/",
        f"/cms/pages/{course.course.pk}/edit/",
        "/cms/snippets/training/question/add/",
        "/cms/snippets/training/questionbank/",
        "/admin/training/assignment/add/",
        "/admin/training/certificate/",
        "/admin/training/enrolment/",
        "/admin/training/attempt/",
    ):
        assert client.get(url).status_code == 200, url
