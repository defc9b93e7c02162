"""Receivers: cache purge and subscriber notices on publish; reviewers told of waiting tasks."""

from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move, task_submitted

from knowledge.models import ArticlePage, KnowledgeIndexPage, KnowledgePage, KnowledgeSpacePage


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
        # private spaces (knowledge.selectors.media_readable) need it current now.
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


@receiver(task_submitted)
def on_task_submitted(sender, instance, user=None, **kwargs):
    from knowledge.services import notify_task_waiting

    notify_task_waiting(task_state=instance)
