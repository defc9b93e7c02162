"""Serve knowledge articles from the response cache before Wagtail routes the request."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from wagtail.permission_policies.pages import PagePermissionPolicy

from knowledge import response_cache as rc


class ArticleResponseCacheMiddleware:
    """Must sit after the session, locale, CSRF, authentication and messages middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not rc.cacheable_request(request):
            return self.get_response(request)
        who = rc.reader(request)
        gen = rc.generation()
        key = rc.entry_key(request, who, gen)
        entry = cache.get(key)
        if entry is not None and _may_read(request, entry):
            html = rc.fill(request, who, entry["html"])
            response = HttpResponse(html, content_type=entry["type"])
            response["X-Knowledge-Cache"] = "hit"
            return response
        _route_article(request)
        response = self.get_response(request)
        page = getattr(request, "knowledge_cacheable_page", None)
        # Stored only when Django's own check of the user agrees with the cached identity.
        if page is not None and request.user.pk == who.pk and _storable(request, response):
            html = rc.template_from(request, response)
            if html is not None:
                private = page.in_private_space()
                entry = {
                    "html": html,
                    "type": response["Content-Type"],
                    "path": page.path,
                    "private": private,
                }
                cache.set(key, entry, rc.ENTRY_SECONDS)
        return response


def _route_article(request) -> None:
    """Find an article by its address in one query and hand it to Wagtail's serve view
    through Wagtail's own per-request route cache (``Page.route_for_request``); Wagtail
    still runs its hooks (view restrictions) and the page's ``serve`` (private spaces)."""
    from wagtail.url_routing import RouteResult

    from knowledge.routing import article_at

    page = article_at(request=request)
    if page is not None:
        page.remember_ancestry()
        request._wagtail_route_for_request = RouteResult(page)


def _may_read(request, entry) -> bool:
    if not entry["private"]:
        return True
    from knowledge.visibility import hidden_space_paths

    # Private pages are checked on every hit (Django's full user check included); a refusal
    # goes the uncached way (403 / login).
    return not any(entry["path"].startswith(p) for p in hidden_space_paths(request.user))


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
        and getattr(request, "_csp_nonce", None) is None  # a nonce is per response
    )


class AdminSpaceAccessMiddleware:
    """Wagtail admin requests: the user's space-editor groups follow their membership of
    private spaces *now* (knowledge.permissions), before Wagtail reads their permissions;
    the explorer of a page the user may not explore is refused (Wagtail would still show
    its title above an empty list). Must sit after the authentication middleware."""

    EXPLORER = ("wagtailadmin_explore", "wagtailadmin_explore_results")

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        if self.prefix is None:
            self.prefix = reverse("wagtailadmin_home")
        if request.path_info.startswith(self.prefix):
            from knowledge.permissions import sync_editor

            sync_editor(request.user)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        page_id = view_kwargs.get("parent_page_id")
        if match is None or match.url_name not in self.EXPLORER or page_id is None:
            return None
        user = request.user
        if not user.is_authenticated or user.is_superuser:
            return None
        if not PagePermissionPolicy().explorable_instances(user).filter(pk=page_id).exists():
            raise PermissionDenied
        return None
