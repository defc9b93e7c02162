"""Reads of the knowledge base. Every listing goes through ``visible_pages_for``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BooleanField, Q, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from wagtail.models import Locale, Page, PageViewRestriction

from collab.core import clock, generations
from collab.directory.models import OrgUnit, Person
from collab.directory.selectors import person_for_user, units_of_person, who_must_act
from knowledge.blocks import render_article_body

CACHE_SECONDS = 24 * 3600
_HEADING = re.compile(r"<h([23])([^>]*)>(.*?)</h\1>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def _models():
    from knowledge import models

    return models


def _user_unit_paths(user) -> list[str]:
    person = person_for_user(user)
    if person is None:
        return []
    return list(units_of_person(person=person, at=clock.now()).values_list("path", flat=True))


RULES_MARK = "knowledge:visibility-rules"
RULES_SECONDS = 600


@dataclass(frozen=True)
class VisibilityRules:
    """Which subtrees are private or restricted: the same for every reader (each reader's
    units and groups are applied per request). Cached under a generation mark that a space,
    unit, restriction or page move changes (knowledge.signals)."""

    mark: str
    # (space path, member unit paths, member group ids) of every private space
    private_spaces: tuple[tuple[str, tuple[str, ...], frozenset[int]], ...]
    # (page path, restriction type, group ids) of every Wagtail view restriction
    restrictions: tuple[tuple[str, str, frozenset[int]], ...]


def bump_visibility_rules() -> None:
    """At once and again after commit: a reader racing the change cannot keep the old rules
    under the new mark."""
    generations.bump(RULES_MARK)
    transaction.on_commit(lambda: generations.bump(RULES_MARK))


def visibility_rules() -> VisibilityRules:
    mark = generations.current(RULES_MARK)
    # The database's name too: a Redis shared by two databases never mixes their rules.
    key = f"{RULES_MARK}:{connection.settings_dict['NAME']}"
    rules = cache.get(key)
    if rules is not None and rules.mark == mark:
        return rules
    spaces = (
        _models()
        .KnowledgeSpacePage.objects.filter(private=True)
        .prefetch_related("member_units", "member_groups")
    )
    restrictions = PageViewRestriction.objects.select_related("page").prefetch_related("groups")
    rules = VisibilityRules(
        mark=mark,
        private_spaces=tuple(
            (
                space.path,
                tuple(unit.path for unit in space.member_units.all()),
                frozenset(group.id for group in space.member_groups.all()),
            )
            for space in spaces
        ),
        restrictions=tuple(
            (r.page.path, r.restriction_type, frozenset(g.id for g in r.groups.all()))
            for r in restrictions
        ),
    )
    cache.set(key, rules, RULES_SECONDS)
    return rules


def _group_ids(user) -> set[int]:
    return set(user.groups.values_list("id", flat=True)) if user.is_authenticated else set()


def hidden_space_paths(user) -> list[str]:
    """Tree paths of the private spaces ``user`` is not a member of."""
    if getattr(user, "is_superuser", False):
        return []
    private = visibility_rules().private_spaces
    if not private:
        return []
    unit_paths = _user_unit_paths(user) if user.is_authenticated else []
    group_ids = _group_ids(user)
    return [
        path
        for path, member_units, member_groups in private
        if not (
            member_groups & group_ids
            or any(up.startswith(unit) for unit in member_units for up in unit_paths)
        )
    ]


def view_restricted_paths(user) -> list[str]:
    """Paths under a Wagtail view restriction (login, groups, password) that ``user`` has not
    passed. Serving enforces these through Wagtail itself; listings use this."""
    if getattr(user, "is_superuser", False):
        return []
    restrictions = visibility_rules().restrictions
    if not restrictions:
        return []
    group_ids = _group_ids(user)
    paths = []
    for path, kind, groups in restrictions:
        if kind == PageViewRestriction.LOGIN and user.is_authenticated:
            continue
        if kind == PageViewRestriction.GROUPS and groups & group_ids:
            continue
        paths.append(path)
    return paths


def _exclude_hidden(qs, user):
    hidden = hidden_space_paths(user) + view_restricted_paths(user)
    if hidden:
        qs = qs.exclude(reduce(or_, (Q(path__startswith=p) for p in hidden)))
    return qs


def visible_pages_for(user):
    """Live knowledge pages (index, spaces, articles; every locale) ``user`` may read.

    The search app and every menu, list and notification of ours filter through this.
    """
    m = _models()
    qs = Page.objects.live().type(m.KnowledgeIndexPage, m.KnowledgeSpacePage, m.ArticlePage)
    return _exclude_hidden(qs, user)


def readable_pages(*, user, ids) -> set[int]:
    """The knowledge app's one access check for a batch (search results): ids among ``ids``
    of live knowledge pages ``user`` may read — private spaces and Wagtail view
    restrictions, as every listing applies them."""
    return set(visible_pages_for(user).filter(pk__in=ids).values_list("pk", flat=True))


def visible_articles_for(user):
    m = _models()
    return _exclude_hidden(m.ArticlePage.objects.live(), user)


def can_view_page(*, user, page) -> bool:
    hidden = hidden_space_paths(user)
    return not any(page.path.startswith(p) for p in hidden)


def _active_locale():
    try:
        return Locale.get_active()
    except (Locale.DoesNotExist, LookupError):
        return Locale.get_default()


def fold_translations(pages) -> list:
    """One page per translation group: the reader's language when it exists, else the
    default language's (else any). Order follows the first appearance of each group."""
    active = _active_locale().pk
    default = Locale.get_default().pk
    rank = {active: 0, default: 1}
    chosen: dict = {}
    order: list = []
    for page in pages:
        key = page.translation_key
        if key not in chosen:
            order.append(key)
            chosen[key] = page
        elif rank.get(page.locale_id, 2) < rank.get(chosen[key].locale_id, 2):
            chosen[key] = page
    return [chosen[k] for k in order]


def _in_trees(roots) -> Q:
    return reduce(or_, (Q(path__startswith=r.path) for r in roots))


def spaces_for(*, user, index):
    """Spaces of every language's tree, each once, in the reader's language if translated."""
    m = _models()
    indexes = [index, *index.get_translations()]
    qs = (
        m.KnowledgeSpacePage.objects.filter(_in_trees(indexes), depth=index.depth + 1)
        .live()
        .order_by("title")
    )
    return fold_translations(_exclude_hidden(qs, user))


def articles_in_space(*, space):
    """The space's articles (tree order of the default language), each once, reader's language
    first. Visibility is the space's own: the caller has already checked it."""
    m = _models()
    spaces = [space, *space.get_translations()]
    default = Locale.get_default().pk
    pages = (
        m.ArticlePage.objects.filter(_in_trees(spaces))
        .live()
        .only(
            "id",
            "title",
            "url_path",
            "path",
            "depth",
            "summary",
            "review_date",
            "locale_id",
            "translation_key",
        )
    )
    pages = sorted(pages, key=lambda p: (p.locale_id != default, p.path))
    return fold_translations(pages)


def recently_updated(*, user, limit: int = 10):
    """Recently published articles, each once, in the reader's language when translated."""
    pages = (
        visible_articles_for(user)
        .order_by("-last_published_at")
        .only(
            "id",
            "title",
            "url_path",
            "path",
            "depth",
            "last_published_at",
            "locale_id",
            "translation_key",
        )[: limit * 2]
    )
    return fold_translations(pages)[:limit]


def related_articles(*, user, page, tags, limit: int = 5):
    """Articles sharing one of ``tags`` (``page``'s) with it, most recently published first."""
    tag_ids = [t.pk for t in tags]
    if not tag_ids:
        return []
    pages = (
        visible_articles_for(user)
        .filter(tagged_items__tag_id__in=tag_ids)
        .exclude(translation_key=page.translation_key)
        .distinct()
        .order_by("-last_published_at")
        .only("id", "title", "url_path", "path", "depth", "locale_id", "translation_key")
    )[: limit * 2]
    return fold_translations(pages)[:limit]


def page_below(*, index, components: list[str]):
    """The live page at ``components`` below the knowledge ``index``, found by address: in
    the index's own language tree first, else at the same address in another language's
    tree (a page not translated yet). One query for an article, instead of two per level."""
    m = _models()
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
    from wagtail.models import Site

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
        _models()
        .ArticlePage.objects.live()
        .filter(slug=rest.rstrip("/").rsplit("/", 1)[-1], url_path__in=list(languages))
        .select_related("locale", "owner_position")
    )
    wanted = (get_language() or "en")[:2]
    pages.sort(key=lambda p: (languages[p.url_path] != wanted, p.pk))
    return pages[0] if pages else None


def ancestry_of(*, page) -> list[Page]:
    """The page and its ancestors, root first, each with ``private`` (a private space)."""
    return list(
        Page.objects.filter(path__in=_ancestor_paths(page.path))
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


def _ancestor_paths(path: str) -> list[str]:
    step = Page.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def breadcrumbs_for(*, page) -> list[Page]:
    """Ancestors below the site root, then the page itself."""
    return [a for a in page.ancestry() if a.depth > 2 and a.pk != page.pk] + [page]


def is_subscribed(*, user, space) -> bool:
    if not user.is_authenticated:
        return False
    return (
        _models()
        .SpaceSubscription.objects.filter(user=user, space__translation_key=space.translation_key)
        .exists()
    )


def approvers_for(*, task, page) -> list[Person]:
    """Who must act on workflow ``task`` for ``page``: the role tag in the space's unit."""
    page = page.specific
    space = page if isinstance(page, _models().KnowledgeSpacePage) else getattr(page, "space", None)
    unit = space.unit if space and space.unit_id else OrgUnit.objects.filter(parent=None).first()
    if unit is None:
        return []
    return who_must_act(role=task.role_tag, unit=unit, at=clock.now())


def owner_people(*, page) -> list[Person]:
    """Who answers for ``page`` now: the owner position's acting holder, else its holder."""
    position = page.owner_position
    if position is None:
        return []
    at = clock.now()
    if position.acting_at(at) and position.acting_holder.active:
        return [position.acting_holder]
    if position.holder_id and position.holder.active:
        return [position.holder]
    return []


def overdue_articles(*, today=None):
    m = _models()
    today = today or clock.now().date()
    return (
        m.ArticlePage.objects.live()
        .filter(review_date__lt=today)
        .select_related("owner_position", "owner_position__unit", "locale")
        .order_by("review_date")
    )


def media_readable(*, user, obj) -> bool:
    """May ``user`` download a document or image? Not when it is in the collection of a
    private space they are not a member of, nor when every page using it lies in such a
    space (Wagtail's reference index knows the pages). Other files are readable."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ReferenceIndex

    from knowledge.media_collections import space_path_of_collection

    hidden = hidden_space_paths(user)
    home = space_path_of_collection(obj.collection_id)
    if home is not None and any(home.startswith(h) for h in hidden):
        return False
    page_type = ContentType.objects.get_for_model(Page)
    ids = {
        int(i)
        for i in ReferenceIndex.get_references_to(obj)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
    }
    if not ids:
        return True
    paths = list(Page.objects.filter(pk__in=ids).values_list("path", flat=True))
    return not paths or any(not any(p.startswith(h) for h in hidden) for p in paths)


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
