"""Render HTML to PDF in a separate process (collab/core/pdf/render.py) with the bundled
fonts only: a renderer crash costs one request, never the web server."""

import json
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

RENDERER = [sys.executable, "-m", "collab.core.pdf.render"]


class PdfError(RuntimeError):
    """The renderer failed (crashed, timed out or refused the document)."""


class _References(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name in ("src", "poster") or (name == "href" and tag == "link")):
                self.urls.add(value)


def _files(html: str, base_url: str, resolve: Callable[[str], Path | None] | None) -> dict:
    """The local file of each resource the document refers to, as the renderer will ask
    for it (absolute URL); what ``resolve`` does not know stays out."""
    if resolve is None:
        return {}
    parser = _References()
    parser.feed(html)
    files = {}
    for url in parser.urls:
        absolute = urljoin(base_url, url)
        path = resolve(absolute)
        if path is not None and path.is_file():
            files[absolute] = str(path)
    return files


def render_pdf(
    *, html: str, base_url: str, resolve: Callable[[str], Path | None] | None = None
) -> bytes:
    job = {"html": html, "base_url": base_url, "files": _files(html, base_url, resolve)}
    try:
        done = subprocess.run(
            RENDERER,
            input=json.dumps(job).encode(),
            capture_output=True,
            timeout=getattr(settings, "SAHAKAR_PDF_TIMEOUT", 120),
            cwd=Path(__file__).resolve().parents[3],
        )
    except subprocess.TimeoutExpired as exc:
        raise PdfError("the PDF renderer timed out") from exc
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise PdfError(f"the PDF renderer failed ({done.returncode}): {detail[0]}")
    return done.stdout


def pdf_unavailable() -> HttpResponse:
    """What a reader gets when the renderer failed: a clear 503, the server unharmed."""
    return HttpResponse(
        _("The PDF could not be made just now. Please try again later."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
