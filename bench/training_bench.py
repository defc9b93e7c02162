"""Training on a slow link: lesson page weight and time, quiz answer/submit time,
certificate PDF generation time, public verification page time.

    .venv/bin/python bench/training_bench.py [--requests N] [--profile]

Uses a throw-away data directory (migrates it first, which takes a minute). Times are
server-side (Django test client, no network): wall p50/p95 and the process's CPU p50 over N
requests (with SQLite the database works in this process too), and the load average.
--profile also prints the lesson page's queries and its top functions (cProfile).
"""

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup(data_dir: str) -> None:
    os.environ["SAHAKAR_DATA_DIR"] = data_dir
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # WeasyPrint logs every step at INFO
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("compilemessages", "-l", "km", "--ignore=.venv", "--ignore=var", verbosity=0)


def timed(func, n: int, before=None) -> dict:
    times, cpu = [], []
    for _ in range(n):
        if before is not None:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        func()
        cpu.append((time.process_time() - started_cpu) * 1000)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[max(int(len(times) * 0.95) - 1, 0)],
        "cpu": statistics.median(cpu),
    }


def queries(func) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def line(label: str, figures: dict, count: int | None = None) -> None:
    extra = f"   {count} queries" if count is not None else ""
    print(
        f"{label:<44} p50 {figures['p50']:7.1f} ms   p95 {figures['p95']:7.1f} ms"
        f"   CPU p50 {figures['cpu']:7.1f} ms{extra}"
    )


def profile(client, url: str) -> None:
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    for query in captured:
        print("  SQL", query["sql"][:160])
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [client.get(url) for _ in range(50)])
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup(data_dir)
        run(args.requests, args.profile)


def run(n: int, with_profile: bool = False) -> None:
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.staticfiles import finders
    from django.test import Client

    from collab.accounts.models import Profile
    from collab.directory.models import OrgUnit, Person, Position
    from training import demo, lesson_cache
    from training.models import AttemptAnswer, Certificate, LessonPage, QuizPage
    from training.services import enrolment as enrolment_services
    from training.services import quiz as quiz_services
    from training.services.certificates import render_pdf

    settings.ALLOWED_HOSTS = ["*"]
    unit = OrgUnit.objects.create(
        code=demo.DEMO_UNIT, kind="hospital", name_en="Hospital", name_km="មន្ទីរពេទ្យ"
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create(username="bench", password=make_password(None))
    Profile.objects.update_or_create(user=user, defaults={"language": "km"})
    person = Person.objects.create(
        user=user,
        employee_id="B-1",
        family_name_en="Sok",
        given_name_en="Dara",
        family_name_km="សុខ",
        given_name_km="ដារា",
    )
    Position.objects.create(unit=unit, title_en="Nurse", holder=person)
    demo.seed()
    course = demo._course()
    lesson = LessonPage.objects.descendant_of(course).get()
    quiz = QuizPage.objects.descendant_of(course).get()
    quiz.max_attempts = 0
    quiz.time_limit_minutes = 0
    quiz.save_revision().publish()
    quiz.refresh_from_db()
    enrolment_services.enrol(person=person, course=course)
    client = Client()
    client.force_login(user)

    print(f"Training bench, {n} requests per figure (server time, test client)\n")
    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores)")
    body = client.get(lesson.url).content
    css = [finders.find("sahakar/css/shell.css"), finders.find("training/training.css")]
    css_bytes = b"".join(Path(p).read_bytes() for p in css if p)
    print(
        f"Lesson page HTML: {len(body):,} B (gzip {len(gzip.compress(body)):,} B); "
        f"CSS: {len(css_bytes):,} B (gzip {len(gzip.compress(css_bytes)):,} B); "
        f"HTML+CSS {len(body) + len(css_bytes):,} B"
    )
    if 'lang="km"' not in body.decode() or "%" not in body.decode():
        raise SystemExit("the lesson page is not the Khmer page with progress")
    line(
        "lesson page (Khmer, logged in)",
        timed(lambda: client.get(lesson.url), n),
        queries(lambda: client.get(lesson.url)),
    )
    line(
        "lesson page, cache rebuilt (after a publish)",
        timed(lambda: client.get(lesson.url), max(5, n // 5), before=lesson_cache.new_generation),
    )
    if with_profile:
        profile(client, lesson.url)

    def right_answer(question) -> dict:
        ids = [c.id for c in question.choices.all() if c.is_correct]
        return {
            "single": {"choice": ids[0] if ids else None},
            "multiple": {"choices": ids},
            "true_false": {"value": question.true_false_answer},
            "numeric": {"value": str(question.numeric_answer)},
        }[question.kind]

    def fresh_attempt():
        attempt = quiz_services.start_attempt(person=person, quiz=quiz)
        for answer in AttemptAnswer.objects.filter(attempt=attempt).select_related("question"):
            quiz_services.save_answer(
                person=person,
                attempt=attempt,
                position=answer.position,
                response=right_answer(answer.question),
            )
        return attempt

    attempt = quiz_services.start_attempt(person=person, quiz=quiz)
    first = AttemptAnswer.objects.filter(attempt=attempt, question__kind="true_false").first()
    url = f"/api/v1/training/attempts/{attempt.pk}/answers/{first.position}"

    def put():
        client.put(
            url, data=json.dumps({"response": {"value": True}}), content_type="application/json"
        )

    line("save one answer (API PUT)", timed(put, n), queries(put))
    quiz_services.submit_attempt(person=person, attempt=attempt)

    pending = []

    def submit():
        client.post(f"/api/v1/training/attempts/{pending.pop().pk}/submit")

    submits = timed(submit, n, before=lambda: pending.append(fresh_attempt()))
    pending.append(fresh_attempt())
    line(
        f"submit a {pending[0].answers.count()}-question quiz (API POST)",
        submits,
        queries(submit),
    )

    client.get(lesson.url)  # already read: submitting re-checks completion
    certificate = Certificate.objects.filter(person=person).first()
    if certificate is None:
        raise SystemExit("no certificate was issued: the completion rule did not hold")
    pdf = render_pdf(certificate=certificate)
    print(f"Certificate PDF: {len(pdf):,} B")
    line(
        "certificate PDF generation (WeasyPrint)",
        timed(lambda: render_pdf(certificate=certificate), max(5, n // 10)),
    )
    anonymous = Client()
    verify_url = f"/learning/verify/{certificate.code}/"
    line(
        "public verification page",
        timed(lambda: anonymous.get(verify_url), n),
        queries(lambda: anonymous.get(verify_url)),
    )
    print(f"\nload average while measuring: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
