from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

HEALTH_ID_PATTERN = r"^[A-Z0-9][A-Z0-9-]{3,31}$"
health_id_validator = RegexValidator(
    HEALTH_ID_PATTERN, _("A Health ID is 4–32 capital letters, digits or dashes.")
)


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Unknown")

    health_id = models.CharField(
        _("Health ID"), max_length=32, unique=True, validators=[health_id_validator]
    )
    family_name_km = models.CharField(_("family name (Khmer)"), max_length=100, blank=True)
    given_name_km = models.CharField(_("given name (Khmer)"), max_length=100, blank=True)
    family_name_latin = models.CharField(_("family name (Latin)"), max_length=100)
    given_name_latin = models.CharField(_("given name (Latin)"), max_length=100)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    home_unit = models.ForeignKey(
        "directory.OrgUnit",
        verbose_name=_("registered at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["family_name_latin", "given_name_latin"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")

    def __str__(self) -> str:
        return self.health_id

    @property
    def name_latin(self) -> str:
        return f"{self.family_name_latin} {self.given_name_latin}".strip()

    @property
    def name_km(self) -> str:
        return f"{self.family_name_km} {self.given_name_km}".strip()


class Referral(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiving unit")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="referrals"
    )
    from_unit = models.ForeignKey(
        "directory.OrgUnit", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        "directory.OrgUnit", verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    specialty = models.CharField(_("specialty"), max_length=64, help_text=_("e.g. paediatrics"))
    reason = models.TextField(_("reason"))
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response_note = models.TextField(_("response note"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["to_unit", "status"])]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"#{self.pk} {self.from_unit.code} → {self.to_unit.code}"


class LabResult(models.Model):
    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="lab_results"
    )
    ordering_doctor = models.ForeignKey(
        "directory.Person",
        verbose_name=_("ordering doctor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lab_unit = models.ForeignKey(
        "directory.OrgUnit",
        verbose_name=_("laboratory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    external_id = models.CharField(
        _("laboratory's id"), max_length=64, blank=True,
        help_text=_("The laboratory system's own id: the same id posted twice is stored once"),
    )
    test_code = models.CharField(_("test code"), max_length=32)
    test_name = models.CharField(_("test name"), max_length=200)
    value = models.CharField(_("value"), max_length=100)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    reference_range = models.CharField(_("reference range"), max_length=64, blank=True)
    abnormal = models.BooleanField(_("abnormal"), default=False)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-reported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_lab_result_per_external_id",
            )
        ]
        verbose_name = _("lab result")
        verbose_name_plural = _("lab results")

    def __str__(self) -> str:
        return f"{self.test_code} #{self.pk}"


class AuditEntry(models.Model):
    """Who read (or exported) which patient record, when. Written by ``services.audit_read``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=32)
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    obj = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=200)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.object_repr}"
