"""The PDF renderer process: ``python -m collab.core.pdf.render`` reads a JSON job on stdin
and writes the PDF on stdout. It imports WeasyPrint but not Django.

It runs apart from the web server because Pango aborts the whole process when fontconfig
offers no font at all. Its fontconfig sees only the suite's bundled fonts, so a PDF looks the
same on every machine and never depends on a system font.
"""

import json
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

STATIC = Path(__file__).resolve().parents[2] / "static" / "sahakar"
FONTS = STATIC / "fonts"
FONT_CSS = STATIC / "css" / "print-fonts.css"


def fontconfig_file(folder: Path) -> Path:
    """A fontconfig without any system font. The bundled WOFF2 files are loaded through
    @font-face (WeasyPrint unpacks them; HarfBuzz cannot read WOFF2 from a font folder)."""
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{folder}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return config


def add_actual_text() -> None:
    """Wrap each drawn line of text in a ``/Span <</ActualText (…)>>`` marked-content
    sequence. A shaped Khmer cluster (a pre-base vowel drawn first, a subscript consonant)
    has no one-to-one glyph-to-character map, and WeasyPrint's ToUnicode ties each glyph to
    the first cluster it met: text extraction, copy-paste and screen readers read the
    ActualText instead, which is the line's real text. ``draw_first_line`` is WeasyPrint's
    internal: the version range in pyproject.toml is the one this wrapper was checked with."""
    import pydyf
    from weasyprint.draw import text as draw_text_module

    original = draw_text_module.draw_first_line

    def draw_first_line(stream, textbox, *args, **kwargs):
        if not textbox.text.strip():
            return original(stream, textbox, *args, **kwargs)
        stream.begin_marked_content(
            "Span", pydyf.Dictionary({"ActualText": pydyf.String(textbox.text)})
        )
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw_text_module.draw_first_line = draw_first_line


def url_fetcher(files: dict[str, str]):
    """Only the files the parent resolved, the bundled fonts and data: URLs."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url in files:
                path = Path(files[url])
            elif url.startswith("file:"):
                path = Path(unquote(urlparse(url).path)).resolve()
                if not path.is_relative_to(FONTS):
                    raise ValueError(f"not a bundled font: {url}")
            else:
                raise ValueError(f"not a local file: {url}")
            return URLFetcherResponse(url, path.read_bytes())

    return LocalOnlyFetcher()


@contextmanager
def bundled_fonts_only():
    import os

    with tempfile.TemporaryDirectory(prefix="sahakar-fc-") as folder:
        os.environ["FONTCONFIG_FILE"] = str(fontconfig_file(Path(folder)))
        yield


def render(job: dict) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = url_fetcher(job.get("files", {}))
    font_config = FontConfiguration()
    fonts = CSS(filename=str(FONT_CSS), url_fetcher=fetcher, font_config=font_config)
    document = HTML(string=job["html"], base_url=job["base_url"], url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[fonts], font_config=font_config)


def main() -> int:
    job = json.loads(sys.stdin.buffer.read())
    with bundled_fonts_only():
        add_actual_text()
        pdf = render(job)
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
