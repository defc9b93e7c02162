import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

from collab.accounts.services import set_language
from collab.core.context_processors import nav_url
from collab.directory.models import OrgUnit, Person, Position

pytestmark = pytest.mark.django_db

NAV = {
    "chat": ("Chat", "ជជែក"),
    "meetings": ("Meetings", "កិច្ចប្រជុំ"),
    "consultations": ("Consultations", "ការពិគ្រោះយោបល់"),
    "workflows": ("Requests", "សំណើ"),
    "knowledge": ("Knowledge", "ចំណេះដឹង"),
    "training": ("Training", "ការបណ្តុះបណ្តាល"),  # as the training app says
    "directory": ("Directory", "បញ្ជីឈ្មោះ"),
}


class Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.stylesheets: list[str] = []
        self.nav: dict[str, str] = {}  # data-nav key -> label
        self.nav_urls: dict[str, str] = {}
        self.current: list[str] = []
        self._nav_key = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])
        if tag == "a" and "data-nav" in attrs:
            self._nav_key = attrs["data-nav"]
            self.nav_urls[self._nav_key] = attrs["href"]
            if attrs.get("aria-current") == "page":
                self.current.append(self._nav_key)

    def handle_data(self, data):
        if self._nav_key:
            self.nav[self._nav_key] = data.strip()
            self._nav_key = None


def parse(html: str) -> Scripts:
    parser = Scripts()
    parser.feed(html)
    return parser


def test_home_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/"


@pytest.mark.parametrize("language,index", [("en", 0), ("km", 1)])
def test_shell_navigation_in_both_languages(client, member, language, index):
    set_language(user=member, language=language)  # applied at login
    client.force_login(member)
    html = client.get("/").content.decode()
    assert f'<html lang="{language}">' in html
    shell = parse(html)
    assert shell.nav == {key: labels[index] for key, labels in NAV.items()}
    assert shell.nav_urls["directory"] == "/directory/"
    assert shell.nav_urls["chat"] == "/chat/"
    assert shell.current == []
    assert 'action="/search/"' in html and 'name="q"' in html
    assert 'action="/i18n/setlang/"' in html


def test_navigation_links_each_area_and_marks_the_current_one(client, member):
    client.force_login(member)
    shell = parse(client.get("/directory/").content.decode())
    assert shell.current == ["directory"]
    for key, url in shell.nav_urls.items():
        assert url.startswith("/") and url != "/", (key, url)


def test_nav_url_takes_the_first_url_name_that_exists():
    assert nav_url(("nope:missing", "directory:index"), "/fallback/") == "/directory/"
    assert nav_url(("nope:missing",), "/fallback/") == "/fallback/"


def test_home_shows_empty_states_for_a_login_without_a_person(client, member):
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "not linked to a person in the directory" in html
    assert "Nothing new" in html


def test_home_lists_the_positions_of_the_linked_person(
    client, member, django_assert_max_num_queries
):
    unit = OrgUnit.objects.create(
        code="PHD-12", kind="phd", name_en="Phnom Penh PHD", name_km="មន្ទីរសុខាភិបាលភ្នំពេញ"
    )
    person = Person.objects.create(
        user=member, employee_id="E1", family_name_en="Sok", given_name_en="Dara",
        family_name_km="សុខ", given_name_km="ដារា",
    )
    Position.objects.create(unit=unit, title_en="Director", title_km="ប្រធាន", holder=person)
    Position.objects.create(unit=unit, title_en="Deputy", acting_holder=person)
    client.force_login(member)
    with django_assert_max_num_queries(8):
        html = client.get("/").content.decode()
    assert "Welcome, Sok Dara" in html
    assert "Director" in html and "Deputy" in html and "Phnom Penh PHD" in html
    assert "(acting)" in html


def test_bell_shows_the_unread_count(client, member):
    from collab.core import clock
    from collab.notifications.models import Notification, Recipient

    for n in range(8):
        notification = Notification.objects.create(
            dedupe_key=f"bell-{n}", event_type="test", event_key=str(n), urgency="normal",
            message_en="Test", message_km="សាកល្បង", url="/", created_at=clock.now(),
        )
        read_at = clock.now() if n == 7 else None  # one already read
        Recipient.objects.create(
            notification=notification, user=member, reason="test", read_at=read_at,
            created_at=clock.now(),
        )
    client.force_login(member)
    html = client.get("/").content.decode()
    badge = re.search(r'<span class="shell-bell-count" id="shell-bell-count"([^>]*)>(\d+)<', html)
    assert badge.group(2) == "7" and "hidden" not in badge.group(1)
    assert "You have 7 unread notifications." in html


def test_bell_hidden_without_unread_notifications(client, member):
    client.force_login(member)
    html = client.get("/").content.decode()
    assert 'id="shell-bell-count" hidden>0<' in html


def test_no_inline_script_without_nonce_and_a_csp_header(client, member):
    client.force_login(member)
    response = client.get("/")
    directives = dict(
        d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";")
    )
    assert directives["default-src"] == "'self'"
    script_src = directives["script-src"].split()
    assert script_src[0] == "'self'"
    # Only real nonces may follow (a literal 'nonce' is an invalid source Chromium ignores).
    assert all(re.fullmatch(r"'nonce-[A-Za-z0-9+/=_-]+'", s) for s in script_src[1:]), script_src
    for script in parse(response.content.decode()).scripts:
        assert script.get("src", "").startswith("/static/") or script.get("nonce"), script
        assert "://" not in script.get("src", "")  # no CDN


def test_anonymous_pages_are_readable(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'id="login-form"' in html
    assert "data-nav" not in html  # navigation only for members


def test_page_weight_of_home_is_small(client, member):
    client.force_login(member)
    html = client.get("/").content
    css_total = 0
    for href in parse(html.decode()).stylesheets:
        name = href.removeprefix(settings.STATIC_URL)
        path = finders.find(name) or staticfiles_storage.path(name)  # plain or hashed name
        css_total += len(open(path, "rb").read())
    assert len(html) + css_total < 100_000, (len(html), css_total)


def test_khmer_font_is_served_locally_with_its_licence():
    for name in ["NotoSansKhmer-Regular.woff2", "NotoSansKhmer-Bold.woff2", "OFL.txt"]:
        assert finders.find(f"sahakar/fonts/{name}"), name
    css = open(finders.find("sahakar/css/shell.css"), encoding="utf-8").read()
    assert 'src: url("../fonts/NotoSansKhmer-Regular.woff2")' in css
    assert "http" not in css
    licence = open(finders.find("sahakar/fonts/OFL.txt"), encoding="utf-8").read()
    assert "SIL Open Font License" in licence


def _script_src(response) -> list[str]:
    directives = dict(
        d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";")
    )
    return directives["script-src"].split()


def test_only_the_wagtail_editor_behind_its_sign_in_allows_inline_script(client, django_user_model):
    """Wagtail's date and chooser widgets write inline scripts no nonce can reach: the editor
    allows inline script (and so carries no nonce, which would disable that); the sign-in
    page it sends people to and every other page keep the nonce-only policy."""
    assert client.get("/cms/login/")["Location"].startswith("/accounts/login/")
    assert "'unsafe-inline'" not in _script_src(client.get("/accounts/login/"))
    editor = django_user_model.objects.create_superuser("editor", password="x")
    client.force_login(editor)
    assert _script_src(client.get("/cms/")) == ["'self'", "'unsafe-inline'"]
    assert _script_src(client.get("/cms/pages/")) == ["'self'", "'unsafe-inline'"]
    for path in ("/", "/admin/", "/knowledge/"):
        assert "'unsafe-inline'" not in _script_src(client.get(path)), path
