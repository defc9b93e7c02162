"""Article PDF: rendered by collab.core.pdf with the bundled fonts."""

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from collab.core.pdf import render_pdf
from knowledge.rendering import rendered_body

BASE_URL = "http://sahakar.invalid/"


def _local_file(url: str) -> Path | None:
    """Media and static files are read from disk: never fetched over the network."""
    path = unquote(urlparse(url).path)
    if path.startswith(settings.MEDIA_URL):
        candidate = (Path(settings.MEDIA_ROOT) / path[len(settings.MEDIA_URL) :]).resolve()
        if candidate.is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
            return candidate
    if path.startswith(settings.STATIC_URL):
        found = finders.find(path[len(settings.STATIC_URL) :])
        return Path(found) if found else None
    return _rendition_file(path)


def _rendition_file(path: str) -> Path | None:
    """Our checked image address (knowledge:image) read from disk: the PDF view has already
    checked that the reader may read the page using it."""
    from django.urls import Resolver404, resolve
    from wagtail.images import get_image_model

    from knowledge.rich_text import served_specs

    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "knowledge:image" or match.kwargs["spec"] not in served_specs():
        return None
    image = get_image_model().objects.filter(pk=match.kwargs["image_id"]).first()
    return Path(image.get_rendition(match.kwargs["spec"]).file.path) if image else None


def article_pdf(*, page, request=None) -> bytes:
    html = render_to_string(
        "knowledge/article_pdf.html",
        {"page": page, "body": rendered_body(page=page)},
        request=request,
    )
    return render_pdf(html=html, base_url=BASE_URL, resolve=_local_file)
