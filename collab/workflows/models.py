"""Workflow definitions (versioned BPMN diagrams with a form), requests and their steps.

A request keeps the engine's serialized state and the version it started under; each open
user task of the engine is one ``Step`` row whose assignees were resolved through the
directory when it opened."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from collab.directory.models import OrgUnit, Person


def _pick(km: str, en: str) -> str:
    return (km or en) if (get_language() or "en").startswith("km") else en


class Definition(models.Model):
    key = models.SlugField(_("key"), max_length=64, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_km = models.CharField(_("name (Khmer)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_km = models.TextField(_("description (Khmer)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    scope = models.ForeignKey(
        OrgUnit, verbose_name=_("only for"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("Only people of this unit and the units below it may start it."),
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("workflow definition")
        verbose_name_plural = _("workflow definitions")

    def __str__(self) -> str:
        return self.name_en

    def name(self) -> str:
        return _pick(self.name_km, self.name_en)

    def description(self) -> str:
        return _pick(self.description_km, self.description_en)


class Version(models.Model):
    """One published diagram and form of a definition; never changed once saved, so a
    running request finishes under the version it started with."""

    definition = models.ForeignKey(
        Definition, verbose_name=_("definition"), on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    bpmn = models.TextField(_("BPMN 2.0 diagram"))
    process_id = models.CharField(_("process id"), max_length=100)
    form = models.JSONField(_("form fields"), default=list)
    created_at = models.DateTimeField(_("published at"))

    class Meta:
        ordering = ["definition", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="workflow_version_unique")
        ]
        verbose_name = _("definition version")
        verbose_name_plural = _("definition versions")

    def __str__(self) -> str:
        return f"{self.definition.key} v{self.number}"


class Request(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("In progress")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    version = models.ForeignKey(
        Version, verbose_name=_("version"), on_delete=models.PROTECT, related_name="requests"
    )
    requester = models.ForeignKey(
        Person, verbose_name=_("requester"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("requester's unit"), on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(_("form"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    engine_state = models.TextField(editable=False)
    created_at = models.DateTimeField(_("started at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requester", "-created_at"]),
                   models.Index(fields=["unit", "-created_at"], name="workflow_request_unit_new")]
        verbose_name = _("request")
        verbose_name_plural = _("requests")

    def __str__(self) -> str:
        return f"#{self.pk} {self.version}"


class Step(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        CANCELLED = "cancelled", _("No longer needed")

    request = models.ForeignKey(
        Request, verbose_name=_("request"), on_delete=models.CASCADE, related_name="steps"
    )
    task_id = models.UUIDField(editable=False)
    task_name = models.CharField(_("task"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_km = models.CharField(_("title (Khmer)"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=64)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    assignees = models.ManyToManyField(
        Person, verbose_name=_("who must act"), related_name="workflow_steps"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    opened_at = models.DateTimeField(_("opened at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Person, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    # The step's SLA (collab/workflows/sla.py): when it is due, and when the next
    # reminder or escalation falls (None once decided or once everything was sent).
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    next_sla_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "task_id"], name="workflow_step_task_unique")
        ]
        indexes = [models.Index(fields=["status", "opened_at"])]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return f"{self.request_id}/{self.task_name}"

    def title(self) -> str:
        return _pick(self.title_km, self.title_en)


class Entry(models.Model):
    """One line of a request's timeline; written once, never edited."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RESUBMITTED = "resubmitted", _("Submitted again")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        COMPLETED = "completed", _("Request approved")
        DELEGATED = "delegated", _("Delegated")
        REASSIGNED = "reassigned", _("Passed on: the assignee left")
        COMMENTED = "commented", _("Comment")

    request = models.ForeignKey(
        Request, verbose_name=_("request"), on_delete=models.CASCADE, related_name="entries"
    )
    step = models.ForeignKey(
        Step, verbose_name=_("step"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("who"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    to = models.ForeignKey(
        Person, verbose_name=_("to whom"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.kind}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    return f"workflows/{instance.request_id}/{filename}"


class Attachment(models.Model):
    """A file of a request: a form's file field, or added on the request page later. Read
    only by the people taking part (``selectors.can_view``)."""

    request = models.ForeignKey(
        Request, verbose_name=_("request"), on_delete=models.CASCADE, related_name="attachments"
    )
    field = models.CharField(_("form field"), max_length=100, blank=True)
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        Person, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("added at"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    @property
    def size_kb(self) -> int:
        return max(1, round(self.size / 1024))


class Paperwork(models.Model):
    """What a definition's requests carry on paper: a yearly registry number (when it has a
    prefix) and what the public verification page of its decision document may show."""

    definition = models.OneToOneField(
        Definition, verbose_name=_("definition"), on_delete=models.CASCADE,
        related_name="paperwork",
    )
    registry_prefix = models.CharField(
        _("registry prefix"), max_length=16, blank=True,
        help_text=_("Requests get a yearly registry number with this prefix (e.g. IN)."),
    )
    requester_public = models.BooleanField(
        _("show the requester's name publicly"), default=False,
        help_text=_("On the decision document's verification page. Form fields marked "
                    "“public” are shown too; nothing else is."),
    )

    class Meta:
        verbose_name = _("registry and decision document")
        verbose_name_plural = _("registries and decision documents")

    def __str__(self) -> str:
        return self.registry_prefix or self.definition.key


class RegistryCounter(models.Model):
    """The last number given in a registry in a year; locked while the next one is taken,
    in the transaction that stores the request, so numbers have no gaps."""

    prefix = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="workflow_registry_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class RegistryNumber(models.Model):
    request = models.OneToOneField(
        Request, verbose_name=_("request"), on_delete=models.CASCADE, related_name="registry"
    )
    prefix = models.CharField(_("registry"), max_length=16)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))

    class Meta:
        ordering = ["prefix", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year", "number"],
                                    name="workflow_registry_number_unique")
        ]
        verbose_name = _("registry number")
        verbose_name_plural = _("registry numbers")

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}/{self.number:04d}"


class DecisionDocument(models.Model):
    """The decision of an approved request on paper; its code is printed with a QR code
    that opens the public verification page."""

    request = models.OneToOneField(
        Request, verbose_name=_("request"), on_delete=models.CASCADE, related_name="document"
    )
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("decision document")
        verbose_name_plural = _("decision documents")

    def __str__(self) -> str:
        return self.code
