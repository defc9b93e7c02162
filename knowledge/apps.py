from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        from knowledge import jobs, signals  # noqa: F401  (registers receivers and the job)

        post_migrate.connect(_ensure_tree, sender=self)


def _ensure_tree(**kwargs) -> None:
    # After `migrate` only (it passes a plan): a test database flushed between transactional
    # tests also emits post_migrate, and rebuilding pages there would cost every such test.
    if kwargs.get("plan") is None:
        return
    from knowledge.media_collections import file_media_into_spaces
    from knowledge.permissions import sync_space_permissions
    from knowledge.services import ensure_tree
    from knowledge.storage import move_legacy_files

    ensure_tree()
    sync_space_permissions()
    move_legacy_files()
    file_media_into_spaces()
