"""Who may read what in the knowledge base: private spaces (members by unit or group) and
Wagtail view restrictions. Every listing, search result, file download and notification of
the app asks this module."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from wagtail.models import Page, PageViewRestriction

from collab.core import clock, generations
from collab.directory.selectors import person_for_user, units_of_person
from knowledge import models as m


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
    spaces = m.KnowledgeSpacePage.objects.filter(private=True).prefetch_related(
        "member_units", "member_groups"
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


def exclude_hidden(qs, user):
    hidden = hidden_space_paths(user) + view_restricted_paths(user)
    if hidden:
        qs = qs.exclude(reduce(or_, (Q(path__startswith=p) for p in hidden)))
    return qs


def visible_pages_for(user):
    """Live knowledge pages (index, spaces, articles; every locale) ``user`` may read.

    The search app and every menu, list and notification of ours filter through this.
    """
    qs = Page.objects.live().type(m.KnowledgeIndexPage, m.KnowledgeSpacePage, m.ArticlePage)
    return exclude_hidden(qs, user)


def readable_pages(*, user, ids) -> set[int]:
    """The knowledge app's one access check for a batch (search results): ids among ``ids``
    of live knowledge pages ``user`` may read — private spaces and Wagtail view
    restrictions, as every listing applies them."""
    return set(visible_pages_for(user).filter(pk__in=ids).values_list("pk", flat=True))


def visible_articles_for(user):
    return exclude_hidden(m.ArticlePage.objects.live(), user)


def can_view_page(*, user, page) -> bool:
    hidden = hidden_space_paths(user)
    return not any(page.path.startswith(p) for p in hidden)


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
