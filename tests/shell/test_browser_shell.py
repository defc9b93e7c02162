"""The shell in Debian's Chromium against a real Daphne: login, Khmer, directory, CSP."""

import pytest

from collab.accounts.models import Profile
from collab.directory.models import OrgUnit, Person, Position
from tests.support.browser import csp_violations, login, outside_browser_loop

pytestmark = pytest.mark.browser

PASSWORD = "Correct-Horse-42"


@pytest.fixture
def _fast_password_hashing():
    """The Daphne subprocess checks passwords with the real hashers: keep them here."""


@pytest.fixture
def people(django_user_model):
    user = django_user_model.objects.create_user("sokha", password=PASSWORD)
    unit = OrgUnit.objects.create(
        code="RH-KDL", kind="hospital", name_en="Kandal Referral Hospital",
        name_km="មន្ទីរពេទ្យបង្អែកខេត្តកណ្ដាល",
    )
    wanted = Person.objects.create(
        employee_id="E-100", family_name_km="ហេង", given_name_km="សុវណ្ណារ៉ា",
        family_name_en="Heng", given_name_en="Sovannara",
    )
    Position.objects.create(unit=unit, title_en="Paediatrician", title_km="គ្រូពេទ្យកុមារ",
                            holder=wanted)
    Person.objects.create(
        employee_id="E-101", family_name_km="ចាន់", given_name_km="ដារា",
        family_name_en="Chan", given_name_en="Dara",
    )
    return user


def test_log_in_switch_to_khmer_and_find_a_person_by_part_of_their_khmer_name(
    page, daphne_server, people
):
    login(page, daphne_server.url, "sokha", PASSWORD)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("[data-nav=directory]").inner_text() == "Directory"

    with page.expect_navigation():
        page.get_by_role("button", name="ខ្មែរ").click()
    assert page.locator("html").get_attribute("lang") == "km"
    assert page.locator("[data-nav=directory]").inner_text() == "បញ្ជីឈ្មោះ"
    assert page.locator("[data-nav=chat]").inner_text() == "ជជែក"
    assert Profile.objects.get(user=people).language == "km"

    page.locator("[data-nav=directory]").click()
    page.fill("#dir-q", "វណ្ណា")  # the middle of the given name សុវណ្ណារ៉ា
    with page.expect_navigation():
        page.locator("form.dir-search [type=submit]").click()
    results = page.locator("#people")
    assert "ហេង សុវណ្ណារ៉ា" in results.inner_text()
    assert "គ្រូពេទ្យកុមារ" in results.inner_text()
    assert "ដារា" not in results.inner_text()


def test_home_page_reports_no_csp_violation(page, daphne_server, people):
    login(page, daphne_server.url, "sokha", PASSWORD)
    page.goto(f"{daphne_server.url}/")
    page.wait_for_load_state("networkidle")
    assert csp_violations(page) == []
    assert [e for e in page.console_entries if e.kind == "pageerror"] == []

    # The listener does see a violation when there is one: an inline script is refused.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            "document.head.appendChild(Object.assign(document.createElement('script'),"
            " {textContent: 'window.inlineRan = true;'}))"
        )
    assert page.evaluate("window.inlineRan === undefined")
    assert csp_violations(page), page.console_entries


def test_bell_count_follows_notification_events_from_the_stream(page, daphne_server, people):
    from realtime.services import publish

    login(page, daphne_server.url, "sokha", PASSWORD)
    page.wait_for_function("() => window.Sahakar && window.Sahakar.stream.state === 'open'")
    badge = page.locator("#shell-bell-count")
    assert badge.is_hidden()

    # Published while no page of this tab is open (an open page could take the event live
    # and the next page would rightly skip it): the next page resumes from the stored seq.
    page.goto("about:blank")
    outside_browser_loop(
        publish, type="notification.new", payload={"id": 1, "unread_count": 4}, user_id=people.pk
    )
    page.goto(f"{daphne_server.url}/accounts/profile/")
    page.wait_for_function(
        "() => document.getElementById('shell-bell-count').textContent === '4'"
    )
    assert badge.is_visible()
    assert page.locator("#shell-bell").get_attribute("data-unread") == "4"
