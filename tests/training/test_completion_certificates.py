"""Completion rule, certificates (Khmer name as text in the PDF), verification, revocation,
expiry and renewal, prerequisites."""

import shutil
import subprocess

import pytest

from training import selectors
from training.models import Certificate, Enrolment
from training.services import enrolment as enrolment_services
from training.services import quiz as quiz_services
from training.services.certificates import render_pdf, revoke_certificate

from .conftest import build_course, correct_response


def pass_quiz(person, quiz, *, right=True):
    attempt = quiz_services.start_attempt(person=person, quiz=quiz)
    if right:
        for answer in attempt.answers.select_related("question"):
            quiz_services.save_answer(
                person=person,
                attempt=attempt,
                position=answer.position,
                response=correct_response(answer.question),
            )
    return quiz_services.submit_attempt(person=person, attempt=attempt)


def read_lesson(client, course):
    assert client.get(course.lesson.url).status_code == 200


def test_course_completes_only_when_every_lesson_is_read_and_every_quiz_passed(
    client, course, trainee
):
    client.force_login(trainee.user)
    client.post(f"/learning/courses/{course.course.pk}/enrol/")
    enrolment = Enrolment.objects.get(person=trainee)
    pass_quiz(trainee, course.quiz, right=False)
    read_lesson(client, course)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    assert selectors.course_progress(enrolment=enrolment).percent == 50
    pass_quiz(trainee, course.quiz)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    certificate = Certificate.objects.get(person=trainee)
    assert certificate.name_km == "សុខ ដារា" and certificate.score == 100
    page = client.get(course.course.url).content.decode()
    assert f"/learning/certificates/{certificate.code}.pdf" in page


def test_passing_the_quiz_without_reading_is_not_completion(course, trainee):
    enrolment_services.enrol(person=trainee, course=course.course)
    pass_quiz(trainee, course.quiz)
    assert Enrolment.objects.get(person=trainee).completed_at is None
    assert not Certificate.objects.exists()


@pytest.fixture
def certificate(client, course, trainee):
    client.force_login(trainee.user)
    enrolment_services.enrol(person=trainee, course=course.course)
    read_lesson(client, course)
    pass_quiz(trainee, course.quiz)
    return Certificate.objects.get(person=trainee)


def test_certificate_pdf_has_the_khmer_and_latin_names_as_text(client, certificate):
    from tests.conftest import skip_or_fail_when_missing

    r = client.get(f"/learning/certificates/{certificate.code}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    if not shutil.which("pdftotext"):
        skip_or_fail_when_missing("pdftotext (poppler-utils) not installed")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=r.content, capture_output=True, check=True
    ).stdout.decode()
    assert "សុខ ដារា" in text
    assert "Trainee Test" in text
    assert certificate.code in text
    assert "Infection prevention" in text


def test_certificate_pdf_gives_back_stacked_khmer_exactly(certificate):
    """Subscript consonants and pre-base vowels: ToUnicode alone reads "សង" for "ស្រេង"."""
    from tests.pdf.test_renderer import NAMES, embedded_fonts, extracted_text, poppler

    certificate.name_km = NAMES[0]
    certificate.course_title = " · ".join(NAMES[1:])
    certificate.save(update_fields=["name_km", "course_title"])
    pdf = render_pdf(certificate=certificate)
    lines = poppler("pdftotext", pdf, "-enc", "UTF-8").splitlines()
    assert "ស្រេង ពិសី" in lines
    assert "ព្រះរាជាណាចក្រកម្ពុជា" in lines and "វិញ្ញាបនបត្រ" in lines
    text = extracted_text(pdf)
    assert [name for name in NAMES if name not in text] == []
    assert {"Noto-Sans-Khmer", "Noto-Sans-Khmer-Bold", "Noto-Sans"} <= set(embedded_fonts(pdf))


def test_certificate_pdf_is_private(client, certificate, units):
    from .conftest import make_person

    client.force_login(make_person("other", unit=units.other).user)
    assert client.get(f"/learning/certificates/{certificate.code}.pdf").status_code == 404


def test_public_verification_page_confirms_then_says_revoked(client, certificate):
    client.logout()
    url = f"/learning/verify/{certificate.code}/"
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and 'data-state="valid"' in body
    assert "សុខ ដារា" in body and "Infection prevention" in body
    assert client.get(f"/learning/verify/?code={certificate.code.lower()}").url == url
    api = client.get(f"/api/v1/training/certificates/{certificate.code}").json()
    assert api["state"] == "valid" and api["name_km"] == "សុខ ដារា"

    revoke_certificate(certificate=certificate, reason="Exam fraud")
    body = client.get(url).content.decode()
    assert 'data-state="revoked"' in body and "Exam fraud" in body
    assert client.get(f"/api/v1/training/certificates/{certificate.code}").json()["state"] == (
        "revoked"
    )
    assert client.get("/learning/verify/NOPE-NOPE-NOPE/").status_code == 404


def test_qr_code_encodes_the_verification_url(certificate, settings):
    from training.services.certificates import verification_url

    assert verification_url(certificate).endswith(f"/learning/verify/{certificate.code}/")
    assert verification_url(certificate).startswith(settings.SAHAKAR_BASE_URL)
    pdf = render_pdf(certificate=certificate)
    assert pdf.startswith(b"%PDF")


def test_certification_expires_and_must_be_renewed(client, db, trainee, clock_offset):
    course = build_course(slug="renew", validity_months=12)
    client.force_login(trainee.user)
    enrolment_services.enrol(person=trainee, course=course.course)
    read_lesson(client, course)
    pass_quiz(trainee, course.quiz)
    first = Certificate.objects.get()
    assert first.expires_at.year == first.issued_at.year + 1

    clock_offset(days=366)
    body = client.get(f"/learning/verify/{first.code}/").content.decode()
    assert 'data-state="expired"' in body
    assert enrolment_services.renew_expired_certifications() == 1
    enrolment = Enrolment.objects.get(person=trainee)
    assert enrolment.completed_at is None
    # The old passing attempt belongs to the previous cycle: the quiz must be passed again.
    assert selectors.course_progress(enrolment=enrolment).quizzes_passed == 0
    pass_quiz(trainee, course.quiz)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert Certificate.objects.count() == 2
    assert enrolment_services.renew_expired_certifications() == 0


def test_prerequisites_block_self_enrolment_and_quiz(client, db, trainee):
    basics = build_course(title="Basics", slug="basics")
    advanced = build_course(title="Advanced", slug="advanced")
    advanced.course.prerequisites.add(basics.course)
    advanced.course.save_revision().publish()
    client.force_login(trainee.user)
    r = client.post(f"/learning/courses/{advanced.course.pk}/enrol/")
    assert r.status_code == 403 and "Basics" in r.content.decode()
    assert not Enrolment.objects.filter(course=advanced.course).exists()

    enrolment_services.enrol(person=trainee, course=basics.course)
    read_lesson(client, basics)
    pass_quiz(trainee, basics.quiz)
    assert client.post(f"/learning/courses/{advanced.course.pk}/enrol/").status_code == 302


def test_closed_course_cannot_be_self_enrolled(client, db, trainee):
    closed = build_course(slug="closed", open_enrolment=False)
    client.force_login(trainee.user)
    assert client.post(f"/learning/courses/{closed.course.pk}/enrol/").status_code == 403
    assert client.get(closed.lesson.url).status_code == 403


def test_a_course_of_lessons_only_completes_on_reading_even_if_read_before_enrolling(
    client, db, trainee
):
    from training.models import QuizPage

    course = build_course(slug="reading")
    QuizPage.objects.filter(pk=course.quiz.pk).delete()
    client.force_login(trainee.user)
    read_lesson(client, course)
    enrolment = enrolment_services.enrol(person=trainee, course=course.course)
    assert enrolment.completed_at is not None
    assert Certificate.objects.get(person=trainee).score is None
