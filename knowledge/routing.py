"""Finding pages by address and walking the tree (articles in one query, ancestries with
their private spaces and restrictions)."""

from __future__ import annotations

from django.db.models import BooleanField, Q, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.utils.translation import get_language
from wagtail.models import Page, Site

from knowledge import models as m


def page_below(*, index, components: list[str]):
    """The live page at ``components`` below the knowledge ``index``, found by address: in
    the index's own language tree first, else at the same address in another language's
    tree (a page not translated yet). One query for an article, instead of two per level."""
    rest = "/".join(components) + "/"
    trees = (
        Page.objects.filter(translation_key=index.translation_key)
        .filter(Q(pk=index.pk) | Q(live=True))
        .annotate(address=Concat("url_path", Value(rest), output_field=TextField()))
        .values("address")
    )
    wanted = {"slug": components[-1], "url_path__in": trees}
    found = list(
        m.ArticlePage.objects.live().filter(**wanted).select_related("locale", "owner_position")
    )
    if not found:
        found = list(Page.objects.live().filter(**wanted).specific())
    found.sort(key=lambda p: (p.locale_id != index.locale_id, p.pk))
    return found[0] if found else None


def article_at(*, request):
    """The live article at the request's address, found in one query (instead of Wagtail's
    walk from the site root): in the reader's language tree first, else at the same address
    in another language's tree. None when there is none: Wagtail's routing then decides
    (the index, spaces, 404)."""
    rest = request.path_info.lstrip("/")
    if rest.count("/") < 3:  # /knowledge/<space>/<article>/ at least
        return None
    site = Site.find_for_request(request)
    if site is None:
        return None
    languages = {
        root.root_path + rest: root.language_code[:2]
        for root in Site.get_site_root_paths()
        if root.site_id == site.pk
    }
    pages = list(
        m.ArticlePage.objects.live()
        .filter(slug=rest.rstrip("/").rsplit("/", 1)[-1], url_path__in=list(languages))
        .select_related("locale", "owner_position")
    )
    wanted = (get_language() or "en")[:2]
    pages.sort(key=lambda p: (languages[p.url_path] != wanted, p.pk))
    return pages[0] if pages else None


def ancestry_of(*, page) -> list[Page]:
    """The page and its ancestors, root first, each with ``private`` (a private space)."""
    return list(
        Page.objects.ancestor_of(page, inclusive=True)
        .annotate(
            private=Coalesce(
                "knowledgespacepage__private", Value(False), output_field=BooleanField()
            )
        )
        .only("id", "title", "url_path", "path", "depth", "alias_of_id")
        .order_by("depth")
    )


def restriction_page_ids(ancestry: list[Page]) -> set[int]:
    """Pages whose view restrictions apply (Wagtail's rule: an alias uses its source's)."""
    ids: set[int] = set()
    sources = {p.alias_of_id for p in ancestry if p.alias_of_id}
    ids.update(p.pk for p in ancestry if not p.alias_of_id)
    while sources:
        rows = list(Page.objects.filter(pk__in=sources).values_list("pk", "alias_of_id"))
        ids.update(pk for pk, alias_of in rows if not alias_of)
        sources = {alias_of for _pk, alias_of in rows if alias_of} - ids
    return ids


def breadcrumbs_for(*, page) -> list[Page]:
    """Ancestors below the site root, then the page itself."""
    return [a for a in page.ancestry() if a.depth > 2 and a.pk != page.pk] + [page]
