"""An article body as HTML with heading anchors and its table of contents, cached per page
and language."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language

from knowledge.blocks import render_article_body

CACHE_SECONDS = 24 * 3600
_HEADING = re.compile(r"<h([23])([^>]*)>(.*?)</h\1>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def body_cache_key(page_id: int, language: str) -> str:
    return f"knowledge:body:{page_id}:{language}"


def rendered_body(*, page, use_cache: bool = True) -> dict:
    """The article body as HTML with heading anchors, plus its table of contents.

    Cached per page and language; purged when the page is published (see signals). The entry
    also carries the live revision it was made from, so an entry left by another database
    (a shared Redis) is never served for a different page with the same id.
    """
    language = (get_language() or "en")[:2]
    key = body_cache_key(page.pk, language)
    stamp = f"{page.live_revision_id}:{page.last_published_at}"
    if use_cache:
        cached = cache.get(key)
        if cached is not None and cached.get("stamp") == stamp:
            return cached
    html = render_article_body(page.body) if page.body else ""
    toc: list[dict] = []
    used: set[str] = set()

    def anchor(match: re.Match) -> str:
        level, attrs, inner = match.group(1), match.group(2), match.group(3)
        text = _TAGS.sub("", inner).strip()
        base = slugify(text, allow_unicode=True) or f"section-{len(toc) + 1}"
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        toc.append({"level": int(level), "id": slug, "text": text})
        return f'<h{level}{attrs} id="{escape(slug)}">{inner}</h{level}>'

    html = _HEADING.sub(anchor, html)
    result = {"html": mark_safe(html), "toc": toc if len(toc) >= 3 else [], "stamp": stamp}
    if use_cache:
        cache.set(key, result, CACHE_SECONDS)
    return result
