"""Directory pages in Debian's Chromium on a phone-sized screen, in Khmer."""

import pytest

from collab.accounts.models import Profile
from collab.directory.models import OrgUnit, Person, Position
from tests.support.browser import csp_violations, login_with_session

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def hospital(django_user_model):
    moh = OrgUnit.objects.create(code="MOH", kind="ministry", name_en="Ministry of Health",
                                 name_km="ក្រសួងសុខាភិបាល")  # fmt: skip
    unit = OrgUnit.objects.create(
        code="PRH-05", kind="hospital", parent=moh, phone="+855 25 123 456",
        email="provincial.referral.hospital.kampong.speu@moh.gov.kh",
        name_en="Kampong Speu Provincial Referral Hospital",
        name_km="មន្ទីរពេទ្យបង្អែកខេត្តកំពង់ស្ពឺ",
    )  # fmt: skip
    for i in range(12):
        person = Person.objects.create(
            employee_id=f"E{i}", family_name_km="សុវណ្ណារ៉ា", given_name_km="ចន្ទសុភ័ក្ត្រ",
            family_name_en="Sovannara", given_name_en=f"Chansopheak{i}",
            email=f"chansopheak.sovannara.{i}@moh.gov.kh", phone="+855 12 345 678",
        )  # fmt: skip
        Position.objects.create(
            unit=unit, holder=person, title_en="Head of the department of paediatric surgery",
            title_km="ប្រធានផ្នែកវះកាត់កុមារ", role_tags="specialist:paediatric-surgery unit-head",
        )  # fmt: skip
    return django_user_model.objects.create_user("reader")


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_unit_and_person_pages_fit_a_phone_in_khmer(browser, daphne_server, hospital):
    context = browser.new_context(viewport=PHONE, locale="km-KH", java_script_enabled=False)
    Profile.objects.update_or_create(user=hospital, defaults={"language": "km"})
    login_with_session(context, daphne_server.url, hospital)
    page = context.new_page()
    page.goto(f"{daphne_server.url}/directory/units/PRH-05/")
    assert page.locator("html").get_attribute("lang") == "km"
    assert "មុខតំណែង" in page.locator("#positions h2").inner_text()
    assert page.locator("#positions li").count() == 12
    assert _no_horizontal_scroll(page)

    page.locator("#positions li a").first.click()  # works without JavaScript
    assert "សុវណ្ណារ៉ា ចន្ទសុភ័ក្ត្រ" in page.locator("h1").inner_text()
    assert _no_horizontal_scroll(page)
    context.close()


def test_directory_pages_report_no_csp_violation(page, daphne_server, hospital):
    login_with_session(page.context, daphne_server.url, hospital)
    for path in ("/directory/", "/directory/units/PRH-05/", "/directory/search?q=ចន្ទ"):
        page.goto(f"{daphne_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert csp_violations(page) == []
    assert [e for e in page.console_entries if e.kind == "pageerror"] == []
