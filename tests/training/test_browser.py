"""A trainee takes a course and its quiz in Khmer in Chromium (real Daphne), passes,
downloads the certificate, and the public verification page confirms it."""

import shutil
import subprocess
from pathlib import Path

import pytest

from collab.accounts.models import Profile
from tests.support.browser import csp_violations, login_with_session
from training.models import AttemptAnswer, Certificate, Question

from .conftest import build_course, correct_response, make_person

pytestmark = pytest.mark.browser


def answer_in_page(page, fieldset, question: Question) -> None:
    right = correct_response(question)
    kind = question.kind
    if kind == "single":
        fieldset.locator(f"input[value='{right['choice']}']").check()
    elif kind == "multiple":
        for cid in right["choices"]:
            fieldset.locator(f"input[value='{cid}']").check()
    elif kind == "true_false":
        fieldset.locator(f"input[value='{'true' if right['value'] else 'false'}']").check()
    elif kind in ("short", "numeric"):
        box = fieldset.locator("input[type=text]")
        box.fill(right["text"] if kind == "short" else right["value"])
        box.dispatch_event("change")
    elif kind == "ordering":
        for rank, cid in enumerate(right["order"], start=1):
            fieldset.locator(f"select[name$='-{cid}']").select_option(str(rank))
    else:
        for left, target in right["pairs"].items():
            fieldset.locator(f"select[name$='-{left}']").select_option(str(target))


def test_trainee_passes_a_course_in_khmer_and_the_certificate_verifies(
    page, daphne_server, db, tmp_path
):
    course = build_course(title="ការការពារការឆ្លងមេរោគ", slug="ipc-km")
    trainee = make_person("trainee", km=("សុខ", "ដារា"))
    Profile.objects.update_or_create(user=trainee.user, defaults={"language": "km"})
    base = daphne_server.url
    login_with_session(page.context, base, trainee.user)

    page.goto(f"{base}{course.course.url}")
    assert page.locator("html").get_attribute("lang") == "km", page.url
    with page.expect_navigation():
        page.get_by_role("button", name="ចុះឈ្មោះ").click()  # Enrol
    page.get_by_role("link", name="Lesson 1").click()
    assert "លាងដៃ" in page.locator(".tr-lesson").inner_text()
    page.locator(".tr-nav a", has_text="Quiz").click()  # the next page of the module
    with page.expect_navigation():
        page.get_by_role("button", name="ចាប់ផ្តើមតេស្ត").click()  # Start the quiz

    fieldsets = page.locator("fieldset.tr-q")
    assert fieldsets.count() == 7
    attempt_answers = {
        a.position: a
        for a in AttemptAnswer.objects.filter(attempt__person=trainee).select_related("question")
    }
    for i in range(fieldsets.count()):
        fieldset = fieldsets.nth(i)
        position = int(fieldset.get_attribute("data-position"))
        answer_in_page(page, fieldset, attempt_answers[position].question)
        # Saved over the API as soon as it was given (Khmer "Saved").
        fieldset.locator("output.tr-saved", has_text="បានរក្សាទុក").wait_for()
    assert not AttemptAnswer.objects.filter(attempt__person=trainee, response=None).exists()

    with page.expect_navigation():
        page.get_by_role("button", name="ដាក់ស្នើចម្លើយ").click()  # Submit answers
    score = page.locator("[data-test=score]").inner_text()
    assert "100" in score and "ជាប់" in score

    page.goto(f"{base}{course.course.url}")
    with page.expect_download() as download_info:
        page.locator("[data-test=certificate]").click()
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "សុខ ដារា" in text
    certificate = Certificate.objects.get(person=trainee)
    assert certificate.code in (text if shutil.which("pdftotext") else certificate.code)

    assert csp_violations(page) == []
    anonymous = page.context.browser.new_context(locale="km")
    public = anonymous.new_page()
    public.goto(f"{base}/learning/verify/")
    public.fill("input[name=code]", certificate.code.lower())
    with public.expect_navigation():
        public.get_by_role("button", name="ពិនិត្យ").click()  # Check
    verdict = public.locator("[data-state]")
    assert verdict.get_attribute("data-state") == "valid"
    assert "សុខ ដារា" in verdict.inner_text()
    assert "ការការពារការឆ្លងមេរោគ" in verdict.inner_text()
    anonymous.close()
