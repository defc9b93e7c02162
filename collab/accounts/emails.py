"""Invitation and password-reset email, sent by the notification outbox's worker (retries,
one Message-ID per delivery, never twice) through the ``account_email`` channel."""

import logging

from django.template.loader import render_to_string
from django.utils import translation

from collab.notifications.channels import EmailChannel, recipient_address, register_channel
from collab.notifications.emails import Content, message_id
from collab.notifications.models import Delivery

from .models import OneTimeLink
from .services import ACCOUNT_EMAIL_CHANNEL, LINK_EVENT_KEY, link_url

logger = logging.getLogger(__name__)
# Khmer first, then English, in one email: the recipient may not have chosen a language yet.
LANGUAGES = ("km", "en")


def content(link: OneTimeLink) -> Content:
    person = getattr(link.user, "person", None)
    context = {
        "link": link_url(link),
        "username": link.user.get_username(),
        "expires_at": link.expires_at,
        "hours": round((link.expires_at - link.created_at).total_seconds() / 3600),
        "days": (link.expires_at - link.created_at).days,
    }
    subjects, bodies = [], []
    for language in LANGUAGES:
        with translation.override(language):
            context["name"] = person.name(language) if person else link.user.get_full_name()
            subjects.append(
                render_to_string(f"accounts/email/{link.kind}_subject.txt", context).strip()
            )
            bodies.append(render_to_string(f"accounts/email/{link.kind}.txt", context).strip())
    return Content(
        subject=" / ".join(" ".join(s.split()) for s in subjects),
        body="\n\n----------\n\n".join(bodies) + "\n",
        language=LANGUAGES[0],
    )


@register_channel
class AccountEmailChannel(EmailChannel):
    name = ACCOUNT_EMAIL_CHANNEL
    supports_digest = False
    transactional = True

    def deliver(self, delivery: Delivery) -> None:
        prefix = LINK_EVENT_KEY.format(pk="")
        key = delivery.notification.event_key
        pk = key[len(prefix) :] if key.startswith(prefix) else ""
        link = OneTimeLink.objects.select_related("user__person").filter(
            pk=int(pk) if pk.isdigit() else 0, user_id=delivery.user_id
        ).first()
        if link is None or link.used_at or link.revoked_at:
            # Replaced or used before the worker got to it: a dead link is not worth sending.
            logger.info("account email %s not sent: its link is gone", delivery.pk)
            return
        self._send(recipient_address(delivery.user), content(link),
                   message_id=message_id(delivery.idempotency_key))
