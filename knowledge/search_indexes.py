"""Search types of the knowledge base: spaces and articles (live pages, every locale).

Filter: a page inside a private space carries the token ``kbspace_<id>``, held by the
space's members; other pages carry ``all`` (or the groups of a group restriction);
password-protected pages carry no token a user can hold. Verification: the knowledge
app's one access check, ``knowledge.visibility.readable_pages``.
"""

from django.utils.translation import gettext_lazy as _
from haystack import indexes
from wagtail.models import Page, PageViewRestriction

from collab.search.indexes import EVERYONE, SahakarIndex
from collab.search.pagetext import stream_text
from knowledge.models import ArticlePage, KnowledgeSpacePage
from knowledge.visibility import hidden_space_paths, readable_pages

NOBODY = "nobody"


def _page_tokens(page) -> list[str]:
    ancestry = Page.objects.ancestor_of(page, inclusive=True)
    restrictions = PageViewRestriction.objects.filter(page__in=ancestry)
    if any(r.restriction_type == PageViewRestriction.PASSWORD for r in restrictions):
        return [NOBODY]
    tokens = [EVERYONE]
    spaces = KnowledgeSpacePage.objects.ancestor_of(page, inclusive=True).filter(private=True)
    if spaces:
        tokens = [f"kbspace_{pk}" for pk in spaces.values_list("pk", flat=True)]
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
        return {str(pk) for pk in readable_pages(user=user, ids=ids)}


def _articles_below(page) -> list[int]:
    return list(
        ArticlePage.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True)
    )


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
