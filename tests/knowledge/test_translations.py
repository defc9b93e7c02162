"""Khmer and English: linked translations, one address, the reader's language, a clear note."""

from django.utils import translation
from wagtail.models import Locale

from tests.knowledge.conftest import add_article

KM_TITLE = "ការខ្សះជាតិទឹកធ្ងន់ធ្ងរចំពោះកុមារ"


def translate_to_khmer(page):
    km_page = page.copy_for_translation(Locale.objects.get(language_code="km"), copy_parents=True)
    km_page.title = KM_TITLE
    km_page.save_revision().publish()
    km_page.refresh_from_db()
    return km_page


def test_translations_are_linked_and_share_the_address(kb):
    km_page = translate_to_khmer(kb.article)
    assert km_page.translation_key == kb.article.translation_key
    assert [p.pk for p in kb.article.get_translations()] == [km_page.pk]
    assert km_page.url == kb.article.url == "/knowledge/paediatrics/severe-dehydration/"


def test_reader_sees_their_language_and_a_note_when_missing(client, kb):
    translate_to_khmer(kb.article)
    untranslated = add_article(kb.space, "Zinc", slug="zinc")

    html = client.get(kb.article.url).content.decode()
    assert "<h1>Severe dehydration</h1>" in html and 'class="kb-language-note"' not in html

    client.cookies["sahakar_language"] = "km"
    html = client.get(kb.article.url).content.decode()
    assert f"<h1>{KM_TITLE}</h1>" in html and '<html lang="km">' in html
    assert 'class="kb-language-note"' not in html

    response = client.get(untranslated.url)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("km"):
        note = translation.gettext(
            "This page is not available in Khmer yet; it is shown in English."
        )
    assert "<h1>Zinc</h1>" in html and note in html


def test_switching_language_with_the_button_keeps_the_page(client, kb):
    translate_to_khmer(kb.article)
    response = client.post(
        "/i18n/setlang/", {"language": "km", "next": kb.article.url}, follow=True
    )
    assert response.redirect_chain[-1][0] == kb.article.url
    assert KM_TITLE in response.content.decode()


def test_khmer_reader_lists_every_article_once_preferring_khmer(client, kb):
    translate_to_khmer(kb.article)
    add_article(kb.space, "Zinc", slug="zinc")
    client.cookies["sahakar_language"] = "km"
    for url in (kb.space.url, kb.index.url):
        html = client.get(url).content.decode()
        assert KM_TITLE in html and "Zinc" in html, url
        assert ">Severe dehydration</a>" not in html  # the Khmer version replaces it
    assert "Paediatrics" in client.get(kb.index.url).content.decode()  # the space, via km tree


def test_a_view_restriction_on_the_english_space_guards_the_khmer_translation(client, kb):
    # The Khmer space is an alias of the English one: Wagtail applies the source's
    # restrictions to it, and so must the ancestry our routing loads.
    from wagtail.models import PageViewRestriction

    km_page = translate_to_khmer(kb.article)
    assert km_page.get_parent().alias_of_id == kb.space.pk
    PageViewRestriction.objects.create(page=kb.space, restriction_type=PageViewRestriction.LOGIN)
    client.cookies["sahakar_language"] = "km"
    response = client.get(kb.article.url)
    assert response.status_code == 302 and "login/?next=" in response["Location"]
    client.force_login(kb.users["reader"])
    assert client.get(kb.article.url).status_code == 200
