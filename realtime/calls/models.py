import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        CONSULTATION = "consultation", _("Consultation")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MEETING)
    title = models.CharField(_("title"), max_length=200)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
    )
    room = models.ForeignKey(
        "chat.Room",
        verbose_name=_("chat room"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    lobby = models.BooleanField(
        _("lobby"), default=False, help_text=_("People who are not invited wait to be admitted.")
    )
    created = models.DateTimeField(auto_now_add=True)
    ended = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title

    @property
    def stream(self) -> str:
        return f"calls.meeting.{self.pk}"


class Invitation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_invitation_per_user")
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.user} → {self.meeting}"


class Participant(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting in the lobby")
        ADMITTED = "admitted", _("In the call")
        DENIED = "denied", _("Denied")
        LEFT = "left", _("Left")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    hand_raised = models.BooleanField(_("hand raised"), default=False)
    audio_only = models.BooleanField(_("audio only"), default=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_participant_per_user")
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.user} in {self.meeting} ({self.state})"
