"""A Wagtail collection per knowledge space: its documents and images follow membership.

Wagtail's collection permissions work like its page permissions: a grant on a collection
reaches every collection below it. So, as for pages (``knowledge.permissions``), the editor
groups hold add, change and choose on the collection of each public space, each private
space's kept group on that space's collection alone, and no editor or kept group holds a
grant on an ancestor of a space collection (the root collection). The admin's listings,
searches, choosers and edit views all ask Wagtail's collection permission policy; serving a
file asks ``knowledge.visibility.media_readable``, which also knows the space collections.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from wagtail.models import Collection, GroupCollectionPermission, Page, ReferenceIndex

from knowledge.models import SpaceCollection

MEDIA_CODENAMES = (
    ("wagtaildocs", ("add_document", "change_document", "choose_document")),
    ("wagtailimages", ("add_image", "change_image", "choose_image")),
)


def _media_permission_ids() -> list[int]:
    match = Q(pk__in=[])
    for app_label, codenames in MEDIA_CODENAMES:
        match |= Q(content_type__app_label=app_label, codename__in=codenames)
    return list(Permission.objects.filter(match).values_list("pk", flat=True))


def _name(space) -> str:
    return f"{space.title}"[:240] + f" #{space.pk}"


def space_collections(spaces) -> dict[int, Collection]:
    """Space pk → its collection (made below the root collection when missing, renamed
    when the space's title changed)."""
    kept = {
        sc.space_id: sc.collection
        for sc in SpaceCollection.objects.filter(space__in=spaces).select_related("collection")
    }
    root = None
    for space in spaces:
        collection = kept.get(space.pk)
        if collection is None:
            # Wagtail's migration makes the root; a database flushed since (by tests that
            # flush between cases) has none.
            root = root or Collection.get_first_root_node() or Collection.add_root(name="Root")
            collection = root.add_child(name=_name(space))
            SpaceCollection.objects.create(space=space, collection=collection)
            kept[space.pk] = collection
        elif collection.name != _name(space):
            collection.name = _name(space)
            collection.save(update_fields=["name"])
    return kept


def sync_collection_grants(*, holders: dict, groups: set[int]) -> None:
    """``holders``: space → the group ids that edit it. Grants of ``groups`` (editor, kept
    and former editor groups) on space collections and their ancestors become exactly these."""
    collections = space_collections(list(holders))
    perms = _media_permission_ids()
    wanted = {
        (g, collections[space.pk].pk, p)
        for space, group_ids in holders.items()
        for g in group_ids
        for p in perms
    }
    every = SpaceCollection.objects.values_list("collection__path", flat=True)
    step = Collection.steplen
    paths = {path[:i] for path in every for i in range(step, len(path) + 1, step)}
    rows = GroupCollectionPermission.objects.filter(group_id__in=groups, collection__path__in=paths)
    have = {
        (g, c, p): pk for pk, g, c, p in rows.values_list("pk", "group", "collection", "permission")
    }
    GroupCollectionPermission.objects.filter(
        pk__in=[pk for key, pk in have.items() if key not in wanted]
    ).delete()
    GroupCollectionPermission.objects.bulk_create(
        [
            GroupCollectionPermission(group_id=g, collection_id=c, permission_id=p)
            for g, c, p in wanted - have.keys()
        ],
        ignore_conflicts=True,
    )


def space_path_of_collection(collection_id: int | None) -> str | None:
    if collection_id is None:
        return None
    return (
        SpaceCollection.objects.filter(collection_id=collection_id, space__isnull=False)
        .values_list("space__path", flat=True)
        .first()
    )


def file_media_into_spaces() -> int:
    """Documents and images in the root collection used only by pages of one space move to
    that space's collection (files from before the space collections). Idempotent; files
    used by several spaces or by none stay where they are (only administrators see them)."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    kept = dict(
        SpaceCollection.objects.exclude(space=None).values_list("space__path", "collection_id")
    )
    if not kept:
        return 0
    root = Collection.get_first_root_node()
    page_type = ContentType.objects.get_for_model(Page)
    moved = 0
    for model in (get_document_model(), get_image_model()):
        for obj in model.objects.filter(collection=root):
            ids = (
                ReferenceIndex.get_references_to(obj)
                .filter(base_content_type=page_type)
                .values_list("object_id", flat=True)
            )
            pages = Page.objects.filter(pk__in=[int(i) for i in ids]).values_list("path", flat=True)
            spaces = {s for path in pages for s in kept if path.startswith(s)}
            if len(spaces) == 1:
                model.objects.filter(pk=obj.pk).update(collection_id=kept[spaces.pop()])
                moved += 1
    return moved
