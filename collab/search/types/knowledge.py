"""Knowledge spaces and articles (live pages, every locale).

Filter: a page inside a private space carries the token ``kbspace_<id>``, held by the
space's members (from ``knowledge.selectors.hidden_space_paths``); other pages carry
``all``; password-protected pages carry no token a user can hold. Verification:
``knowledge.selectors.visible_pages_for`` plus Wagtail's view restrictions on the page
and its ancestors (login / groups / password).
"""

from django.utils.translation import gettext_lazy as _
from haystack import indexes
from wagtail.models import Page, PageViewRestriction

from collab.search.indexes import EVERYONE, SahakarIndex
from collab.search.pagetext import stream_text
from knowledge.models import ArticlePage, KnowledgeSpacePage
from knowledge.selectors import hidden_space_paths, visible_pages_for

NOBODY = "nobody"


def _ancestor_paths(path: str) -> list[str]:
    """Wagtail tree paths of a page and its ancestors (4 characters per level)."""
    return [path[:i] for i in range(Page.steplen, len(path) + 1, Page.steplen)]


def _page_tokens(page) -> list[str]:
    paths = _ancestor_paths(page.path)
    restrictions = PageViewRestriction.objects.filter(page__path__in=paths)
    if any(r.restriction_type == PageViewRestriction.PASSWORD for r in restrictions):
        return [NOBODY]
    tokens = [EVERYONE]
    spaces = KnowledgeSpacePage.objects.filter(path__in=paths, private=True).values_list(
        "pk", flat=True
    )
    if spaces:
        tokens = [f"kbspace_{pk}" for pk in spaces]
    groups = [g for r in restrictions if r.restriction_type == r.GROUPS for g in r.groups.all()]
    if groups and tokens == [EVERYONE]:
        tokens = [f"group_{g.pk}" for g in groups]
    return tokens


def _user_page_tokens(user) -> set[str]:
    if not (user.is_authenticated and user.is_active):
        return set()
    hidden = set(hidden_space_paths(user))
    private = KnowledgeSpacePage.objects.filter(private=True).values_list("pk", "path")
    tokens = {EVERYONE} | {f"kbspace_{pk}" for pk, path in private if path not in hidden}
    tokens |= {f"group_{pk}" for pk in user.groups.values_list("pk", flat=True)}
    return tokens


def _passes_view_restrictions(user, pages) -> set[int]:
    """ids of ``pages`` whose own and inherited Wagtail view restrictions let ``user`` in."""
    paths = {p for page in pages for p in _ancestor_paths(page.path)}
    restrictions = list(
        PageViewRestriction.objects.filter(page__path__in=paths)
        .select_related("page")
        .prefetch_related("groups")
    )
    if not restrictions:
        return {page.pk for page in pages}
    user_groups = set(user.groups.values_list("pk", flat=True))
    allowed = set()
    for page in pages:
        ok = True
        for r in restrictions:
            if not page.path.startswith(r.page.path):
                continue
            if r.restriction_type == r.PASSWORD:
                ok = False
            elif r.restriction_type == r.GROUPS and not user.is_superuser:
                ok = ok and any(g.pk in user_groups for g in r.groups.all())
        if ok:
            allowed.add(page.pk)
    return allowed


class _KnowledgePageIndex(SahakarIndex):
    def index_queryset(self, using=None):
        return self.get_model().objects.live()

    def title_en(self, obj) -> str:
        return obj.title

    def url_of(self, obj) -> str:
        return obj.get_url() or ""

    def access_tokens(self, obj) -> list[str]:
        return _page_tokens(obj)

    def user_tokens(self, user) -> set[str]:
        return _user_page_tokens(user)

    def visible_ids(self, user, ids):
        pages = list(visible_pages_for(user).filter(pk__in=ids).only("pk", "path"))
        return {str(pk) for pk in _passes_view_restrictions(user, pages)}


def _articles_below(page) -> list[int]:
    return list(ArticlePage.objects.filter(path__startswith=page.path).values_list("pk", flat=True))


class ArticleIndex(_KnowledgePageIndex, indexes.Indexable):
    type_key = "page"
    type_label = _("Knowledge")
    watch = {
        KnowledgeSpacePage: _articles_below,  # a space made private (or public)
        PageViewRestriction: lambda r: _articles_below(r.page),
    }

    def get_model(self):
        return ArticlePage

    def body(self, obj) -> str:
        tags = " ".join(t.name for t in obj.tags.all())
        return "\n".join(p for p in (obj.summary, obj.audience, tags, stream_text(obj.body)) if p)


class SpaceIndex(_KnowledgePageIndex, indexes.Indexable):
    type_key = "space"
    type_label = _("Knowledge spaces")
    watch = {PageViewRestriction: lambda r: [r.page_id]}

    def get_model(self):
        return KnowledgeSpacePage

    def body(self, obj) -> str:
        return obj.intro
