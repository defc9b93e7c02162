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


class GlossaryEntry(models.Model):
    """One medical concept in Khmer and English: a search for either finds both (used at
    query time by collab.search.glossary). Only reviewed entries are used."""

    term_km = models.CharField(_("Khmer term"), max_length=200)
    term_en = models.CharField(_("English term"), max_length=200)
    synonyms = models.CharField(
        _("other words"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, in either language, e.g. DHF, dengue fever"),
    )
    reviewed = models.BooleanField(
        _("reviewed"), default=False, help_text=_("Only reviewed entries widen searches.")
    )

    class Meta:
        ordering = ["term_en"]
        verbose_name = _("glossary entry")
        verbose_name_plural = _("glossary entries")

    def __str__(self) -> str:
        return f"{self.term_km} — {self.term_en}"

    @property
    def terms(self) -> list[str]:
        extra = [s.strip() for s in self.synonyms.split(",")]
        return [t for t in [self.term_km.strip(), self.term_en.strip(), *extra] if t]
