"""The PDF renderer (collab.core.pdf): bundled fonts only, real Khmer text, and a crash of
the renderer costs one request, never the process that asked for it."""

import shutil
import subprocess
import sys
import tempfile

import pytest

from collab.core import pdf
from tests.conftest import skip_or_fail_when_missing

# Names whose clusters stack a subscript consonant or start with a pre-base vowel: WeasyPrint's
# ToUnicode alone gives back "សង ព្រិសី" for the first.
STACKED = ["ស្រេង ពិសី", "ព្រះរាជាណាចក្រកម្ពុជា", "ឈ្មោះ ស្រ្តី កញ្ញា ខ្មែរ", "នៅ ក្នុង ខេត្ត"]
# What the certificate and article PDFs must give back exactly: a subscript ro (ស្រេង, ក្រសួង),
# stacked ta + ro (ស្ត្រី), a subscript ta (សម្តេច) and pre-base vowels (េ, ែ).
NAMES = ["ស្រេង ពិសី", "ស្ត្រី", "ក្រសួងសុខាភិបាល", "សម្តេច"]


SEGFAULT = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]


def poppler(tool: str, data: bytes, *args: str) -> str:
    if not shutil.which(tool):
        skip_or_fail_when_missing(f"{tool} (poppler-utils) is not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run(
            [tool, *args, fh.name, *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            check=True,
            text=True,
        ).stdout


def extracted_text(data: bytes) -> str:
    """pdftotext's text with its whitespace normalised, and nothing else."""
    return " ".join(poppler("pdftotext", data, "-enc", "UTF-8").split())


def embedded_fonts(data: bytes) -> list[str]:
    rows = poppler("pdffonts", data).splitlines()[2:]
    return [row.split()[0].split("+", 1)[-1] for row in rows]


def render(body: str) -> bytes:
    return pdf.render_pdf(
        html=f"<!doctype html><html><body>{body}</body></html>", base_url="http://sahakar.invalid/"
    )


def test_stacked_khmer_comes_back_as_the_real_text():
    data = render("".join(f"<p>{line}</p>" for line in STACKED) + "<p>Latin 100%</p>")
    lines = [line for line in poppler("pdftotext", data, "-enc", "UTF-8").splitlines() if line]
    assert lines == [*STACKED, "Latin 100%"]


def test_only_bundled_fonts_are_embedded_whatever_the_css_asks_for():
    """The document asks for system fonts this machine may have: the renderer's fontconfig
    sees none of them, so the Khmer and Latin text use the bundled Noto fonts."""
    data = render(
        "<p style=\"font-family: 'Khmer OS', 'DejaVu Sans', serif\">សួស្តី hello</p>"
        "<p><b>ដិត bold</b></p>"
    )
    fonts = embedded_fonts(data)
    assert set(fonts) <= {"Noto-Sans-Khmer", "Noto-Sans-Khmer-Bold", "Noto-Sans", "Noto-Sans-Bold"}
    assert {"Noto-Sans-Khmer", "Noto-Sans-Khmer-Bold", "Noto-Sans"} <= set(fonts)
    assert "សួស្តី hello" in poppler("pdftotext", data, "-enc", "UTF-8")


def test_a_machine_without_any_font_still_renders(tmp_path, monkeypatch):
    """The web process's fontconfig sees no font at all (as on a bare Debian machine)."""
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n')
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty))
    data = render("<p>ស្រេង ពិសី Sreng Pisey</p>")
    assert "ស្រេង ពិសី Sreng Pisey" in poppler("pdftotext", data, "-enc", "UTF-8")
    assert "Noto-Sans-Khmer" in embedded_fonts(data)


def test_the_renderer_cannot_read_files_it_was_not_given():
    data = render('<img src="file:///etc/passwd"><p>ok</p>')
    assert "ok" in poppler("pdftotext", data, "-enc", "UTF-8")
    assert b"root:" not in data


def test_a_crashing_renderer_costs_one_request(monkeypatch):
    """Pango aborts a process whose fontconfig offers no usable font (measured: SIGSEGV).
    The renderer is its own process: the caller gets PdfError and lives on."""
    monkeypatch.setattr(pdf, "RENDERER", SEGFAULT)
    with pytest.raises(pdf.PdfError, match="-11"):
        render("<p>x</p>")
