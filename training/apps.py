from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from collab.directory.models import Position

        from . import signals
        from .services import assignments, enrolment, quiz, reminders  # noqa: F401  (@periodic)

        post_save.connect(signals.position_saved, sender=Position, dispatch_uid="training-position")
        post_migrate.connect(signals.after_migrate, sender=self, dispatch_uid="training-tree")
        self._watch_tree(signals.tree_changed)

    def _watch_tree(self, receiver) -> None:
        from wagtail.documents import get_document_model
        from wagtail.models import Page, PageViewRestriction, Site
        from wagtail.signals import post_page_move

        watched = [m for m in apps.get_models() if issubclass(m, Page)]
        for model in [*watched, get_document_model(), Site, PageViewRestriction]:
            uid = f"training-tree-{model._meta.label}"
            for signal in (post_save, post_delete):
                signal.connect(receiver, sender=model, dispatch_uid=uid)
        post_page_move.connect(receiver, dispatch_uid="training-tree-move")
