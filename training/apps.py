from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
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
