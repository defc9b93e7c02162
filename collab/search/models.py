from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingIndexUpdate(models.Model):
    """Outbox of index updates: written in the transaction of the save that causes it,
    consumed by the worker's single index writer (services.process_index_queue)."""

    model = models.CharField(_("model"), max_length=100)  # "app_label.model_name"
    object_id = models.CharField(_("object id"), max_length=64)
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("pending index update")
        verbose_name_plural = _("pending index updates")

    def __str__(self) -> str:
        return f"{self.model}:{self.object_id}"
