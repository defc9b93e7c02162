"""The two admins in Khmer: the suite's Khmer font in /admin/ and /cms/, and Khmer words on
the Wagtail screens editors use every day (collab/admin_km)."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.utils import translation

from collab.accounts.services import set_language


@pytest.fixture
def editor(client, db):
    user = get_user_model().objects.create_superuser("editor", password="x-Secret-1")
    set_language(user=user, language="km")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    client.force_login(user)
    yield client
    translation.activate(settings.LANGUAGE_CODE)

KHMER_ADMIN_CSS = re.compile(r"admin_km/khmer-admin(\.[0-9a-f]+)?\.css")


def test_the_font_css_points_at_the_bundled_khmer_fonts():
    css = open(finders.find("admin_km/khmer-admin.css"), encoding="utf-8").read()
    for url in re.findall(r'url\("\.\./([^"]+)"\)', css):
        assert finders.find(url), url
    assert "NotoSansKhmer-Regular.woff2" in css and "--w-font-sans" in css
    # Django's admin sets its buttons in this variable's font (Khmer "Go" was boxes)
    assert re.search(r'--font-family-primary:\s*"Sahakar Khmer"', css)


def test_wagtail_dashboard_speaks_khmer_with_the_khmer_font(editor):
    page = editor.get("/cms/").content.decode()
    assert '<html lang="km"' in page
    assert KHMER_ADMIN_CSS.search(page)  # hashed name from the manifest storage
    sidebar = json.loads(
        re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', page, re.S).group(1)
    )
    labels = json.dumps(sidebar, ensure_ascii=False)
    for khmer in ("ទំព័រ", "ឯកសារ", "រូបភាព", "របាយការណ៍"):  # Pages, Documents, Images, Reports
        assert khmer in labels


def test_explorer_and_editor_and_media_screens_speak_khmer(editor):
    from wagtail.models import Page

    home = Page.objects.filter(depth=2).first() or Page.objects.get(depth=1)
    explorer = editor.get(f"/cms/pages/{home.pk}/").content.decode()
    assert "ចំណងជើង" in explorer and "ស្ថានភាព" in explorer  # Title, Status
    edit = editor.get(f"/cms/pages/{home.pk}/edit/").content.decode()
    assert "រក្សាទុកសេចក្តីព្រាង" in edit  # Save draft
    assert "បន្ថែមរូបភាព" in editor.get("/cms/images/").content.decode()  # Add an image
    assert "បន្ថែមឯកសារ" in editor.get("/cms/documents/").content.decode()  # Add a document


def test_django_admin_loads_the_khmer_font(editor):
    page = editor.get("/admin/").content.decode()
    assert KHMER_ADMIN_CSS.search(page)  # hashed name from the manifest storage


def test_the_admin_scripts_catalogue_speaks_khmer(editor):
    response = editor.get("/cms/jsi18n/")
    assert response.status_code == 200
    script = response.content.decode()
    for khmer in ("ស្វែងរក", "ម៉ឺនុយមេ", "កំពុងរក្សាទុក..."):  # Search, Main menu, Saving...
        assert json.dumps(khmer) in script  # the catalogue is JSON: \u escapes
    # The editor pages load this catalogue (the same URL as Wagtail's own).
    assert 'src="/cms/jsi18n/"' in editor.get("/cms/").content.decode()
