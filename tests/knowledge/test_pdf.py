"""PDF export: WeasyPrint with a Khmer font; the Khmer title is real, extractable text."""

import shutil
import subprocess

from django.utils.text import slugify

from collab.core import pdf
from knowledge.models import ArticlePage
from tests.conftest import skip_or_fail_when_missing
from tests.knowledge.conftest import add_article
from tests.pdf.test_renderer import NAMES, SEGFAULT

KM_TITLE = "ការព្យាបាលជំងឺរាគរូសចំពោះកុមារ"


def need_poppler(tool: str) -> None:
    if not shutil.which(tool):
        skip_or_fail_when_missing(f"{tool} (poppler-utils) is not installed")


def pdf_text(pdf: bytes, tmp_path) -> str:
    need_poppler("pdftotext")
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def squeeze(text: str) -> str:
    """Whitespace normalised, nothing else: each line carries its real text (ActualText)."""
    return " ".join(text.split())


def test_pdf_contains_the_khmer_title_as_text(client, kb, tmp_path):
    page = add_article(
        kb.space,
        KM_TITLE,
        slug=slugify(KM_TITLE, allow_unicode=True),
        owner_position=kb.owner,
        body=[
            {"type": "rich_text", "value": "<h2>ការវាយតម្លៃ</h2><p>ផ្តល់ ORS និងស័ង្កសី។</p>"},
            {
                "type": "table",
                "value": {
                    "data": [["អាយុ", "បរិមាណ"], ["< ២ ឆ្នាំ", "៥០ ml"]],
                    "first_row_is_table_header": True,
                },
            },
        ],
    )
    response = client.get(f"/kb/pages/{page.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = squeeze(pdf_text(response.content, tmp_path))
    assert KM_TITLE in text
    assert "ការវាយតម្លៃ" in text and "ផ្តល់ ORS និងស័ង្កសី។" in text


def test_pdf_gives_back_stacked_khmer_exactly(client, kb, tmp_path):
    """A heading, bold text and a table cell: each stacked name comes back character for
    character (WeasyPrint's ToUnicode alone reads "សង ព្រិសី" for "ស្រេង ពិសី")."""
    page = add_article(
        kb.space,
        NAMES[2],
        slug="moh",
        owner_position=kb.owner,
        body=[
            {"type": "rich_text", "value": f"<h2>{NAMES[3]}</h2><p>ឈ្មោះ៖ <b>{NAMES[0]}</b></p>"},
            {"type": "table", "value": {"data": [[NAMES[1], "៥០ ml"]]}},
        ],
    )
    text = squeeze(pdf_text(client.get(f"/kb/pages/{page.pk}/pdf/").content, tmp_path))
    assert [name for name in NAMES if name not in text] == []
    assert f"ឈ្មោះ៖ {NAMES[0]}" in text


def test_pdf_embeds_a_khmer_font(client, kb, tmp_path):
    page = ArticlePage.objects.get(pk=kb.article.pk)
    page.title = KM_TITLE
    page.save_revision().publish()
    need_poppler("pdffonts")
    path = tmp_path / "fonts.pdf"
    path.write_bytes(client.get(f"/kb/pages/{page.pk}/pdf/").content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    assert "Khmer" in fonts.stdout  # Noto Sans Khmer or Khmer OS, embedded (subset)


def test_a_crashing_renderer_gives_the_reader_a_503(client, kb, monkeypatch):
    """The renderer is its own process (collab.core.pdf): its crash is one 503."""
    monkeypatch.setattr(pdf, "RENDERER", SEGFAULT)
    response = client.get(f"/kb/pages/{kb.article.pk}/pdf/")
    assert response.status_code == 503
    assert "try again" in response.content.decode()
