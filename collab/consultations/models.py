import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .storage import private_storage


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        WAITING = "waiting", _("Patient waiting")
        IN_PROGRESS = "in_progress", _("In progress")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    patient = models.ForeignKey(
        "health.Patient", verbose_name=_("patient"), on_delete=models.PROTECT,
        related_name="appointments",
    )
    doctor = models.ForeignKey(
        "directory.Person", verbose_name=_("doctor"), on_delete=models.PROTECT,
        related_name="consultations",
    )
    referring_worker = models.ForeignKey(
        "directory.Person", verbose_name=_("referring health worker"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="referred_consultations",
    )
    scheduled_for = models.DateTimeField(_("time"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    meeting = models.OneToOneField(
        "calls.Meeting", verbose_name=_("video call"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="appointment",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["scheduled_for"]
        indexes = [models.Index(fields=["doctor", "scheduled_for"])]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self) -> str:
        return f"#{self.pk} {self.patient} {self.scheduled_for:%Y-%m-%d %H:%M}"


class PatientLink(models.Model):
    """A one-time link for a patient without an account. Only hashes are stored: the token
    is shown once to the doctor, the device secret lives in the patient's cookie."""

    appointment = models.ForeignKey(
        Appointment, verbose_name=_("appointment"), on_delete=models.CASCADE,
        related_name="links",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    used_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    device_hash = models.CharField(max_length=64, blank=True, editable=False)
    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("guest login"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("patient link")
        verbose_name_plural = _("patient links")

    def __str__(self) -> str:
        return f"link #{self.pk} for {self.appointment}"


class ConsultationNote(models.Model):
    """The current SOAP note. Every signature (first or amendment) stores a NoteRevision."""

    appointment = models.OneToOneField(
        Appointment, verbose_name=_("appointment"), on_delete=models.PROTECT, related_name="note"
    )
    subjective = models.TextField(_("subjective"), blank=True)
    objective = models.TextField(_("objective"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("consultation note")
        verbose_name_plural = _("consultation notes")

    def __str__(self) -> str:
        return f"note for {self.appointment}"

    @property
    def patient(self):
        return self.appointment.patient


class PrescriptionLine(models.Model):
    note = models.ForeignKey(
        ConsultationNote, on_delete=models.CASCADE, related_name="prescription"
    )
    medication = models.CharField(_("medication"), max_length=200)
    dose = models.CharField(_("dose"), max_length=100)
    frequency = models.CharField(_("frequency"), max_length=100, blank=True)
    duration = models.CharField(_("duration"), max_length=100, blank=True)
    instructions = models.CharField(_("instructions"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("prescription line")
        verbose_name_plural = _("prescription lines")

    def __str__(self) -> str:
        return f"{self.medication} {self.dose}"


class NoteRevision(models.Model):
    """An immutable copy of the note as signed; amendments add rows, never change them."""

    note = models.ForeignKey(
        ConsultationNote, on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    reason = models.CharField(_("reason for the amendment"), max_length=300, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["note", "version"], name="one_revision_per_version")
        ]
        verbose_name = _("note revision")
        verbose_name_plural = _("note revisions")

    def __str__(self) -> str:
        return f"v{self.version} of {self.note}"

    @property
    def patient(self):
        return self.note.appointment.patient


class RecordingConsent(models.Model):
    class Role(models.TextChoices):
        PATIENT = "patient", _("Patient")
        DOCTOR = "doctor", _("Doctor")

    appointment = models.ForeignKey(
        Appointment, verbose_name=_("appointment"), on_delete=models.CASCADE,
        related_name="consents",
    )
    role = models.CharField(_("given by"), max_length=8, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("login"), on_delete=models.PROTECT,
        related_name="+",
    )
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appointment", "role"], name="one_consent_per_role")
        ]
        verbose_name = _("recording consent")
        verbose_name_plural = _("recording consents")

    def __str__(self) -> str:
        return f"{self.get_role_display()} consent for {self.appointment}"


def new_recording_key() -> str:
    return secrets.token_urlsafe(24)


class Recording(models.Model):
    """A consultation recorded by a server-side aiortc peer, with both parties' consent.

    Frames, URLs and the file name use ``key`` (random), never the row id: nobody can name
    somebody else's recording by counting."""

    appointment = models.ForeignKey(
        Appointment, verbose_name=_("appointment"), on_delete=models.CASCADE,
        related_name="recordings",
    )
    key = models.CharField(max_length=40, unique=True, default=new_recording_key, editable=False)
    file = models.FileField(
        _("file"), upload_to="recordings/", storage=private_storage, blank=True
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self) -> str:
        return f"recording #{self.pk} of {self.appointment}"

    @property
    def patient(self):
        return self.appointment.patient
