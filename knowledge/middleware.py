"""Serve knowledge articles from the response cache before Wagtail routes the request."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpResponse

from knowledge import response_cache as rc


class ArticleResponseCacheMiddleware:
    """Must sit after the session, locale, CSRF, authentication and messages middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not rc.cacheable_request(request):
            return self.get_response(request)
        gen = rc.generation()
        key = rc.entry_key(request, gen)
        entry = cache.get(key)
        if entry is not None and _may_read(request.user, entry):
            response = HttpResponse(rc.fill(request, entry["html"]), content_type=entry["type"])
            response["X-Knowledge-Cache"] = "hit"
            return response
        response = self.get_response(request)
        page = getattr(request, "knowledge_cacheable_page", None)
        if page is not None and _storable(request, response):
            html = rc.template_from(request, response)
            if html is not None:
                private = page.in_private_space()
                entry = {"html": html, "type": response["Content-Type"], "path": page.path,
                         "private": private}
                cache.set(key, entry, rc.ENTRY_SECONDS)
        return response


def _may_read(user, entry) -> bool:
    if not entry["private"]:
        return True
    from knowledge.selectors import hidden_space_paths

    # Private pages are checked on every hit; a refusal goes the uncached way (403 / login).
    return not any(entry["path"].startswith(p) for p in hidden_space_paths(user))


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
        and getattr(request, "_csp_nonce", None) is None  # a nonce is per response
    )
