"""The search page in Debian's Chromium, served by Daphne: a signed-in user types into the
search box, sees highlighted results with type facets, filters by a facet, and gets a person
suggested while typing; once in Khmer, once in English."""

import pytest
from django.conf import settings as django_settings
from haystack import connections
from whoosh.writing import CLEAR

from collab.accounts.models import Profile
from collab.search.services import backend
from tests.support.browser import ConsoleEntry, csp_violations, login_with_session

pytestmark = pytest.mark.browser


@pytest.fixture
def served_index(search_index, daphne_server, live_data_dir):
    """Index into the directory the Daphne server searches, emptied first (the server
    outlives tests and notices a new index generation by itself)."""
    conf = django_settings.HAYSTACK_CONNECTIONS["default"]
    conf["PATH"] = str(live_data_dir / "whoosh_index")
    connections.reload("default")
    be = backend()
    be.setup()
    be.index.refresh().writer(timeout=10).commit(mergetype=CLEAR)
    return daphne_server


@pytest.fixture
def reader(served_index, make_person, make_unit, give_position, make_user, indexed):
    ministry = make_unit("Ministry of Health", "ក្រសួងសុខាភិបាល", kind="ministry")
    make_unit("Provincial Health Department", "មន្ទីរសុខាភិបាលខេត្ត", kind="department")
    sok = make_person("Sok", "Dara", "សុខ", "ដារា")
    give_position(sok, ministry, "Vaccination officer", "មន្ត្រីចាក់វ៉ាក់សាំង")
    centre = make_unit("Vaccination Centre", "មជ្ឈមណ្ឌលវ៉ាក់សាំង", kind="health_centre")
    give_position(make_person("Chan", "Sophea", "ចាន់", "សុភា"), centre)
    indexed()
    return make_user()


def _open_search_page(browser, server, user, locale):
    context = browser.new_context(locale=locale)
    context.set_default_timeout(10_000)
    login_with_session(context, server.url, user)
    page = context.new_page()
    page.console_entries = []
    page.on("console", lambda msg: page.console_entries.append(ConsoleEntry(msg.type, msg.text)))
    page.on(
        "pageerror", lambda err: page.console_entries.append(ConsoleEntry("pageerror", str(err)))
    )
    page.goto(f"{server.url}/search/")
    return page


def _errors(page) -> list[ConsoleEntry]:
    return [e for e in page.console_entries if e.kind == "pageerror"]


def _type_and_expect_suggestion(page, typed, suggestion):
    page.locator("#search-q").press_sequentially(typed, delay=30)  # real input events
    typeahead = page.locator("#search-typeahead")
    typeahead.get_by_text(suggestion, exact=True).wait_for()
    assert typeahead.is_visible()
    return typeahead


def _submit(page, query):
    page.fill("#search-q", query)
    with page.expect_navigation():
        page.press("#search-q", "Enter")


def _facet(page, type_key):
    return page.locator(f".search-facets a[href$='type={type_key}']")


def _hit_types(page) -> list[str]:
    return [
        cls.split("search-hit-")[1].split()[0]
        for cls in page.locator(".search-results .search-hit").evaluate_all(
            "els => els.map(e => e.className)"
        )
    ]


def test_khmer_query_highlights_facets_filter_and_typeahead(browser, served_index, reader):
    Profile.objects.update_or_create(user=reader, defaults={"language": "km"})
    page = _open_search_page(browser, served_index, reader, "km-KH")
    assert page.locator("html").get_attribute("lang") == "km"

    _type_and_expect_suggestion(page, "ដារ", "សុខ ដារា")

    _submit(page, "សុខាភិបាល")
    assert sorted(_hit_types(page)) == ["person", "unit", "unit"]
    marks = page.locator(".search-snippet mark").all_inner_texts()
    assert marks and set(marks) == {"សុខាភិបាល"}  # whole Khmer words, nothing else
    assert _facet(page, "unit").locator(".search-count").inner_text() == "2"
    assert _facet(page, "person").locator(".search-count").inner_text() == "1"

    with page.expect_navigation():
        _facet(page, "unit").click()
    assert "type=unit" in page.url
    assert _hit_types(page) == ["unit", "unit"]
    assert _facet(page, "unit").get_attribute("aria-current") == "true"
    assert page.locator(".search-snippet mark").first.inner_text() == "សុខាភិបាល"
    assert csp_violations(page) == [] and _errors(page) == []


def test_english_query_highlights_facets_filter_and_typeahead(browser, served_index, reader):
    page = _open_search_page(browser, served_index, reader, "en-US")

    _submit(page, "vaccination")
    assert sorted(_hit_types(page)) == ["person", "person", "unit"]
    marks = page.locator(".search-snippet mark").all_inner_texts()
    assert marks and {m.lower() for m in marks} == {"vaccination"}
    assert _facet(page, "person").locator(".search-count").inner_text() == "2"
    assert _facet(page, "unit").locator(".search-count").inner_text() == "1"

    with page.expect_navigation():
        _facet(page, "person").click()
    assert _hit_types(page) == ["person", "person"]
    assert sorted(page.locator(".search-title").all_inner_texts()) == ["Chan Sophea", "Sok Dara"]

    page.fill("#search-q", "")
    typeahead = _type_and_expect_suggestion(page, "Dar", "Sok Dara")
    with page.expect_navigation():
        typeahead.get_by_text("Sok Dara", exact=True).click()
    assert "/directory/people/" in page.url and "Sok Dara" in page.locator("h1").inner_text()
    assert csp_violations(page) == [] and _errors(page) == []
