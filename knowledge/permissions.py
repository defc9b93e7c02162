"""Wagtail admin permissions that follow space membership.

Groups holding ``knowledge.edit_spaces`` are *editor groups*. A Wagtail page permission
reaches every page below its page, so a grant on the knowledge index would open every
private space; instead the editor groups hold add and change on each **public** space, and
each **private** space has one kept group (``SpaceEditorGroup``) holding them on that space
alone, whose users are the editors who are members of the space. Each space's documents
and images live in its own collection, granted to the same groups
(``knowledge.media_collections``); workflow tasks of private spaces are checked against the
same membership (``PositionApprovalTask``, the dashboard panels in ``knowledge.admin_panels``).

``sync_space_permissions`` rewrites the grants when a space or an editor group changes;
``sync_editor`` puts one user in the kept groups of the spaces they may read now, and runs
on every admin request (membership also changes with time: acting posts start and end).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from wagtail.models import GroupPagePermission

from knowledge.media_collections import sync_collection_grants
from knowledge.models import KnowledgeIndexPage, KnowledgeSpacePage, SpaceEditorGroup
from knowledge.visibility import hidden_space_paths

EDIT_SPACES = ("knowledge", "edit_spaces")
EDITOR_CODENAMES = ("add_page", "change_page")


def editor_group_ids() -> set[int]:
    app_label, codename = EDIT_SPACES
    return set(
        Group.objects.filter(
            permissions__content_type__app_label=app_label, permissions__codename=codename
        ).values_list("pk", flat=True)
    )


def _page_permission_ids() -> list[int]:
    return list(
        Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=EDITOR_CODENAMES
        ).values_list("pk", flat=True)
    )


def _kept_group(space: KnowledgeSpacePage) -> Group:
    name = f"Space editors: {space.title}"[:140] + f" #{space.pk}"
    group, _c = Group.objects.get_or_create(name=name)
    SpaceEditorGroup.objects.create(space=space, group=group)
    return group


@transaction.atomic
def sync_space_permissions(*, former_editors: set[int] = frozenset()) -> None:
    """Grant the editor permissions space by space, as described above; drop grants of
    editor and kept groups anywhere else in the knowledge tree (an index, say), and every
    knowledge grant of ``former_editors`` (groups that just lost ``edit_spaces``)."""
    editors = editor_group_ids()
    perms = _page_permission_ids()
    spaces = list(KnowledgeSpacePage.objects.only("pk", "title", "private"))
    private = {s.pk for s in spaces if s.private}
    stale = SpaceEditorGroup.objects.filter(Q(space=None) | ~Q(space_id__in=private))
    Group.objects.filter(pk__in=stale.values("group_id")).delete()
    kept = dict(SpaceEditorGroup.objects.values_list("space_id", "group_id"))
    wanted = set()
    holders = {}
    for space in spaces:
        if space.private:
            holders[space] = {kept.get(space.pk) or _kept_group(space).pk}
        else:
            holders[space] = editors
        wanted |= {(g, space.pk, p) for g in holders[space] for p in perms}
    groups = editors | set(former_editors)
    groups |= set(SpaceEditorGroup.objects.values_list("group_id", flat=True))
    sync_collection_grants(holders=holders, groups=groups)
    indexes = KnowledgeIndexPage.objects.values_list("path", flat=True)
    trees = [Q(page__path__startswith=path) for path in indexes]
    rows = GroupPagePermission.objects.filter(group_id__in=groups).filter(
        reduce(or_, trees, Q(pk__in=[]))
    )
    have = {
        (g, page, p): pk for pk, g, page, p in rows.values_list("pk", "group", "page", "permission")
    }
    GroupPagePermission.objects.filter(
        pk__in=[pk for key, pk in have.items() if key not in wanted]
    ).delete()
    GroupPagePermission.objects.bulk_create(
        [
            GroupPagePermission(group_id=g, page_id=page, permission_id=p)
            for g, page, p in wanted - have.keys()
        ],
        ignore_conflicts=True,
    )
    users = get_user_model().objects.filter(Q(groups__in=groups)).distinct()
    for user in users:
        sync_editor(user)


def sync_editor(user) -> None:
    """Put ``user`` in the kept groups of the private spaces they edit now, and only those."""
    if not (user.is_authenticated and user.pk):
        return
    kept = dict(SpaceEditorGroup.objects.exclude(space=None).values_list("group_id", "space__path"))
    if not kept:
        return
    through = get_user_model().groups.through
    mine = set(through.objects.filter(user_id=user.pk).values_list("group_id", flat=True))
    wanted: set[int] = set()
    if user.is_active and not user.is_superuser and mine & editor_group_ids():
        hidden = hidden_space_paths(user)
        wanted = {g for g, path in kept.items() if path not in hidden}
    current = mine & kept.keys()
    if current - wanted:
        through.objects.filter(user_id=user.pk, group_id__in=current - wanted).delete()
    if wanted - current:
        through.objects.bulk_create(
            [through(user_id=user.pk, group_id=g) for g in wanted - current],
            ignore_conflicts=True,
        )
