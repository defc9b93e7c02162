"""Receivers: cache purge and subscriber notices on publish; reviewers told of waiting tasks."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move, task_submitted

from collab.directory.models import OrgUnit
from collab.directory.signals import people_deactivated
from knowledge.models import ArticlePage, KnowledgeIndexPage, KnowledgePage, KnowledgeSpacePage
from knowledge.visibility import bump_visibility_rules


def _purge_responses() -> None:
    from knowledge.response_cache import purge_all

    purge_all()


@receiver(page_published)
def on_page_published(sender, instance, revision=None, **kwargs):
    from knowledge.services import notify_page_published, purge_page_cache

    page = getattr(instance, "specific", instance)
    if isinstance(page, KnowledgePage):
        _purge_responses()
        # Wagtail updates its reference index in a background task; file permissions of
        # private spaces (knowledge.visibility.media_readable) need it current now.
        from wagtail.models import ReferenceIndex

        ReferenceIndex.create_or_update_for_object(page)
    if not isinstance(page, ArticlePage):
        return
    purge_page_cache(page=page)
    notify_page_published(page=page, revision_id=revision.pk if revision else None)


@receiver(page_unpublished)
def on_page_unpublished(sender, instance, **kwargs):
    from knowledge.services import purge_page_cache

    purge_page_cache(page=instance)
    if isinstance(getattr(instance, "specific", instance), KnowledgePage):
        _purge_responses()


@receiver(post_page_move)
def on_page_moved(sender, instance, **kwargs):
    if isinstance(getattr(instance, "specific", instance), KnowledgePage):
        _purge_responses()


def on_page_deleted(sender, instance, **kwargs):
    _purge_responses()


for _model in (KnowledgeIndexPage, KnowledgeSpacePage, ArticlePage):
    post_delete.connect(on_page_deleted, sender=_model, dispatch_uid=f"kb-purge-{_model.__name__}")


@receiver(post_save, sender=PageViewRestriction, dispatch_uid="kb-restriction-saved")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="kb-restriction-deleted")
@receiver(
    m2m_changed, sender=PageViewRestriction.groups.through, dispatch_uid="kb-restriction-groups"
)
def on_view_restriction_changed(sender, **kwargs):
    # Cached entries are keyed by who may see what: a new or changed restriction must not
    # leave a page served from the cache to readers it now excludes.
    bump_visibility_rules()
    _purge_responses()


@receiver(post_save, sender=KnowledgeSpacePage, dispatch_uid="kb-rules-space-saved")
@receiver(post_delete, sender=KnowledgeSpacePage, dispatch_uid="kb-rules-space-deleted")
@receiver(post_save, sender=OrgUnit, dispatch_uid="kb-rules-unit-saved")
@receiver(post_delete, sender=OrgUnit, dispatch_uid="kb-rules-unit-deleted")
@receiver(post_page_move, dispatch_uid="kb-rules-page-moved")
def on_visibility_changed(sender, **kwargs):
    # A space's privacy or members, a unit's place in the directory (it moves its units'
    # paths) or a page's place in the tree: the visibility rules' paths change.
    bump_visibility_rules()


@receiver(post_save, sender=KnowledgeSpacePage, dispatch_uid="kb-editors-space-saved")
@receiver(post_delete, sender=KnowledgeSpacePage, dispatch_uid="kb-editors-space-deleted")
def on_space_changed(sender, **kwargs):
    # After on_visibility_changed (connected first): the rules read here are the new ones.
    from knowledge.permissions import sync_space_permissions

    sync_space_permissions()


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="kb-editors-groups")
def on_group_permissions_changed(sender, instance, action, reverse, pk_set=None, **kwargs):
    # A group given or denied knowledge.edit_spaces becomes or stops being an editor group.
    from django.contrib.auth.models import Permission

    from knowledge.permissions import EDIT_SPACES, editor_group_ids, sync_space_permissions

    if action == "pre_clear":  # which groups were editors is known only before the clear
        instance._kb_editors_before = editor_group_ids()
    elif action == "post_clear":
        sync_space_permissions(former_editors=getattr(instance, "_kb_editors_before", set()))
    elif action in ("post_add", "post_remove"):
        app_label, codename = EDIT_SPACES
        edit = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        if reverse and edit.filter(pk=instance.pk).exists():  # permission.group_set.add(...)
            sync_space_permissions(former_editors=set(pk_set))
        elif not reverse and edit.filter(pk__in=pk_set).exists():
            sync_space_permissions(former_editors={instance.pk})


@receiver(post_save, sender=get_user_model(), dispatch_uid="kb-reader-saved")
@receiver(post_delete, sender=get_user_model(), dispatch_uid="kb-reader-deleted")
def on_user_changed(sender, instance, **kwargs):
    # Name, password, active or superuser flag may have changed: the next page asks Django.
    from knowledge.response_cache import forget_readers

    forget_readers([instance.pk])


@receiver(post_save, sender="directory.Person", dispatch_uid="kb-reader-person-saved")
def on_person_changed(sender, instance, **kwargs):
    # The user menu names a reader by their directory name.
    from knowledge.response_cache import forget_readers

    if instance.user_id:
        forget_readers([instance.user_id])


@receiver(people_deactivated, dispatch_uid="kb-readers-deactivated")
def on_people_deactivated(sender, person_ids, **kwargs):
    # Deactivation updates users in bulk (no post_save).
    from collab.directory.models import Person
    from knowledge.response_cache import forget_readers

    forget_readers(
        Person.objects.filter(pk__in=person_ids, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )


@receiver(task_submitted)
def on_task_submitted(sender, instance, user=None, **kwargs):
    from knowledge.services import notify_task_waiting

    notify_task_waiting(task_state=instance)
