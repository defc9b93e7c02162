"""import_knowledge: a mixed folder (Markdown, HTML, DOCX, one broken file), then a re-run."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image as PILImage
from wagtail.images import get_image_model

from knowledge.models import ArticlePage
from tests.knowledge.docx import write_docx

MARKDOWN = """# Hand hygiene: the five moments

Clean hands save lives.

## When

1. Before touching a patient
2. Before a clean procedure

- Use alcohol rub
- Or soap and water

| Moment | Minimum time |
| --- | --- |
| Rub | 20 s |
| Wash | 40 s |

![Five moments poster](img/poster.png)
"""

HTML = """<html><head><title>x</title><script>alert(1)</script></head><body>
<h1>គោលការណ៍ច្បាប់ឈប់សម្រាក</h1><p onclick="steal()">Annual leave is <strong>18 days</strong>.</p>
<h2>How to ask</h2><ul><li>Fill the form</li><li>Ask your head of unit</li></ul>
<table><tr><th>Leave</th><th>Days</th></tr><tr><td>Annual</td><td>18</td></tr></table>
</body></html>"""


def make_folder(root: Path) -> Path:
    (root / "img").mkdir(parents=True)
    buf = io.BytesIO()
    PILImage.new("RGB", (8, 8), "red").save(buf, "PNG")
    (root / "img" / "poster.png").write_bytes(buf.getvalue())
    (root / "hand-hygiene.md").write_text(MARKDOWN, encoding="utf-8")
    (root / "policies").mkdir()
    (root / "policies" / "leave.html").write_text(HTML, encoding="utf-8")
    write_docx(
        root / "ors.docx",
        title="Oral rehydration salts",
        heading="Preparation",
        paragraph="Dissolve one sachet in one litre of clean water.",
        rows=[["Age", "Amount"], ["Under 2", "50–100 ml"]],
    )
    (root / "broken.docx").write_bytes(b"this is not a zip file")
    (root / "notes.txt").write_text("ignored: not a supported type")
    return root


def run(folder, space, *extra):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "import_knowledge", str(folder), "--space", space, *extra, stdout=out, stderr=err
        )
        error = None
    except CommandError as exc:
        error = str(exc)
    return out.getvalue(), err.getvalue(), error


def test_mixed_folder_imports_all_but_the_broken_file(kb, tmp_path):
    folder = make_folder(tmp_path / "docs")
    out, err, error = run(folder, "paediatrics", "--publish")
    assert "3 created, 0 updated, 1 failed (published)" in out
    assert "skipped broken.docx: not a readable DOCX file" in err
    assert error == "1 file(s) could not be imported: broken.docx"

    pages = {p.source_key: p for p in ArticlePage.objects.exclude(source_key="")}
    assert set(pages) == {
        "paediatrics:hand-hygiene.md",
        "paediatrics:ors.docx",
        "paediatrics:policies/leave.html",
    }
    md = pages["paediatrics:hand-hygiene.md"]
    assert md.live and md.title == "Hand hygiene: the five moments"
    kinds = [b.block_type for b in md.body]
    assert kinds == ["rich_text", "table", "image"]
    text = md.body[0].value.source
    assert "<h2>When</h2>" in text and "<ol><li>Before touching" in text and "<ul>" in text
    assert md.body[1].value["data"] == [
        ["Moment", "Minimum time"],
        ["Rub", "20 s"],
        ["Wash", "40 s"],
    ]
    assert md.body[1].value["first_row_is_table_header"] is True
    assert md.body[2].value["image"].title == "Five moments poster"

    html = pages["paediatrics:policies/leave.html"]
    assert html.title == "គោលការណ៍ច្បាប់ឈប់សម្រាក" and html.slug == "leave"
    source = html.body[0].value.source
    assert "<b>18 days</b>" in source and "onclick" not in source and "alert" not in source
    assert html.body[1].value["data"][1] == ["Annual", "18"]

    docx = pages["paediatrics:ors.docx"]
    assert docx.title == "Oral rehydration salts"
    assert "<h2>Preparation</h2>" in docx.body[0].value.source
    assert docx.body[1].value["data"] == [["Age", "Amount"], ["Under 2", "50–100 ml"]]


def test_rerun_updates_instead_of_duplicating(kb, tmp_path):
    folder = make_folder(tmp_path / "docs")
    (folder / "broken.docx").unlink()
    run(folder, "paediatrics", "--publish")
    images = get_image_model().objects.count()
    (folder / "hand-hygiene.md").write_text(MARKDOWN.replace("Clean hands", "Clean HANDS"))
    out, _err, error = run(folder, "paediatrics", "--publish")
    assert error is None and "0 created, 3 updated, 0 failed" in out
    assert ArticlePage.objects.exclude(source_key="").count() == 3
    assert get_image_model().objects.count() == images
    page = ArticlePage.objects.get(source_key="paediatrics:hand-hygiene.md")
    assert "Clean HANDS" in page.body[0].value.source


def test_without_publish_pages_are_drafts_and_unknown_space_is_named(kb, tmp_path):
    folder = make_folder(tmp_path / "docs")
    (folder / "broken.docx").unlink()
    run(folder, "paediatrics")
    assert not ArticlePage.objects.filter(source_key__startswith="paediatrics:", live=True).exists()
    with pytest.raises(CommandError, match="no knowledge space with slug 'nope'"):
        call_command("import_knowledge", str(folder), "--space", "nope")
