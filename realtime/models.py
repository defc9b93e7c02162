from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One row of the durable event stream; ``seq`` is the stream position.

    The audience is either one user or a *stream* ("chat.room.12"): everyone the
    stream's provider says may see it (see ``realtime.streams``).
    """

    seq = models.BigAutoField(_("position"), primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    stream = models.CharField(_("stream"), max_length=100, blank=True)
    type = models.CharField(_("type"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        # Resume reads "seq > N for this user or these streams" in seq order.
        indexes = [
            models.Index(fields=["user", "seq"]),
            models.Index(fields=["stream", "seq"], name="realtime_event_stream_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.type}"

    def frame(self) -> dict:
        return {**self.payload, "type": self.type, "seq": self.seq}
