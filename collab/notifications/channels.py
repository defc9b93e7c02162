"""Delivery channels: a small registry of backends (in-app, email; SMS or Telegram fit here).

A backend is ``inline`` when it is delivered inside the transaction that creates the
notification (in-app: an event row in the durable stream); otherwise the worker delivers
its outbox rows, with retries, through ``deliver`` (one item) or ``deliver_digest`` (many).
"""

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import translation

from realtime.services import publish

from . import emails
from .models import Delivery
from .registry import channel_names, get_channel, register_channel

__all__ = ["ChannelBackend", "channel_names", "get_channel", "register_channel"]


class ChannelBackend:
    name: str = ""
    inline: bool = False
    supports_digest: bool = False
    # Account email (invitations, password resets): sent at once, never held back by a
    # preference, quiet hours or a digest.
    transactional: bool = False

    def deliver(self, delivery: Delivery) -> None:
        raise NotImplementedError

    def deliver_digest(self, deliveries: Sequence[Delivery]) -> None:
        raise NotImplementedError

    def open_batch(self) -> None:
        """Called before a worker pass sends a batch (e.g. to reuse one connection)."""

    def close_batch(self) -> None:
        """Called after the batch, whatever happened."""


@register_channel
class InAppChannel(ChannelBackend):
    name = "in_app"
    inline = True

    def deliver(self, delivery: Delivery) -> None:
        from .selectors import new_notification_frame

        publish(
            type="notification.new",
            payload=new_notification_frame(delivery.notification, user=delivery.user),
            user_id=delivery.user_id,
        )


def recipient_language(user) -> str:
    """The user's language; the suite's default for someone without a login (``None``)."""
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


def recipient_address(user) -> str:
    person = getattr(user, "person", None)
    return user.email or (person.email if person else "")


@register_channel
class EmailChannel(ChannelBackend):
    name = "email"
    supports_digest = True

    def deliver(self, delivery: Delivery) -> None:
        address = (
            recipient_address(delivery.user) if delivery.user_id else delivery.person.email
        )
        self._send(address, emails.single(delivery, recipient_language(delivery.user)),
                   message_id=emails.message_id(delivery.idempotency_key))

    def deliver_digest(self, deliveries: Sequence[Delivery]) -> None:
        user = deliveries[0].user
        keys = sorted(d.idempotency_key for d in deliveries)
        self._send(recipient_address(user), emails.digest(deliveries, recipient_language(user)),
                   message_id=emails.message_id(emails.digest_key(keys)))

    connection = None  # one per worker pass (the scheduler runs jobs in one thread)

    def open_batch(self) -> None:
        self.connection = get_connection(fail_silently=False)
        try:
            self.connection.open()
        except OSError:
            pass  # each send then tries to connect itself and records its own failure

    def close_batch(self) -> None:
        self._close()
        self.connection = None

    def _close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # closing a broken connection must not mask the batch
                pass

    def _send(self, address: str, content: emails.Content, *, message_id: str) -> None:
        if not address:
            raise emails.NoAddress("the recipient has no email address")
        with translation.override(content.language):
            message = EmailMultiAlternatives(
                subject=content.subject,
                body=content.body,
                to=[address],
                headers={"Message-ID": message_id, "Content-Language": content.language},
                connection=self.connection,
            )
            for attachment in content.attachments:
                message.attach(*attachment)
            try:
                message.send(fail_silently=False)
            except Exception:
                self._close()  # a broken connection: the next send opens its own
                raise
