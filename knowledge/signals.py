"""Receivers: cache purge and subscriber notices on publish; reviewers told of waiting tasks."""

from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, task_submitted

from knowledge.models import ArticlePage


@receiver(page_published)
def on_page_published(sender, instance, revision=None, **kwargs):
    from knowledge.services import notify_page_published, purge_page_cache

    page = getattr(instance, "specific", instance)
    if not isinstance(page, ArticlePage):
        return
    purge_page_cache(page=page)
    notify_page_published(page=page, revision_id=revision.pk if revision else None)


@receiver(page_unpublished)
def on_page_unpublished(sender, instance, **kwargs):
    from knowledge.services import purge_page_cache

    purge_page_cache(page=instance)


@receiver(task_submitted)
def on_task_submitted(sender, instance, user=None, **kwargs):
    from knowledge.services import notify_task_waiting

    notify_task_waiting(task_state=instance)
