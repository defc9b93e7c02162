"""Reads of the knowledge base: spaces, articles, subscriptions, owners and approvers. Who
may read what is ``knowledge.visibility``; pages by address, ``knowledge.routing``; article
bodies, ``knowledge.rendering``."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q
from wagtail.models import Locale

from collab.core import clock
from collab.directory.models import OrgUnit, Person
from collab.directory.selectors import who_must_act
from knowledge import models as m
from knowledge.visibility import exclude_hidden, visible_articles_for


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
    indexes = [index, *index.get_translations()]
    qs = (
        m.KnowledgeSpacePage.objects.filter(_in_trees(indexes), depth=index.depth + 1)
        .live()
        .order_by("title")
    )
    return fold_translations(exclude_hidden(qs, user))


def articles_in_space(*, space):
    """The space's articles (tree order of the default language), each once, reader's language
    first. Visibility is the space's own: the caller has already checked it."""
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


def is_subscribed(*, user, space) -> bool:
    if not user.is_authenticated:
        return False
    return m.SpaceSubscription.objects.filter(
        user=user, space__translation_key=space.translation_key
    ).exists()


def approvers_for(*, task, page) -> list[Person]:
    """Who must act on workflow ``task`` for ``page``: the role tag in the space's unit."""
    page = page.specific
    space = page if isinstance(page, m.KnowledgeSpacePage) else getattr(page, "space", None)
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
    today = today or clock.now().date()
    return (
        m.ArticlePage.objects.live()
        .filter(review_date__lt=today)
        .select_related("owner_position", "owner_position__unit", "locale")
        .order_by("review_date")
    )
