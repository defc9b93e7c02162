"""Email content. Only what happened and a link: never patient data (the message text
comes from the emitting app, which must keep patient details out of it)."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .attachments import Attachment, attachments_for
from .models import Delivery

ACK_SALT = "collab.notifications.ack"


class NoAddress(Exception):
    pass


@dataclass
class Content:
    subject: str
    body: str
    language: str
    attachments: Sequence[Attachment] = ()


def message_id(key: str) -> str:
    """The idempotency key as the Message-ID: a resent copy can be recognised and dropped."""
    return f"<{key}@sahakar.notifications>"


def digest_key(keys: Sequence[str]) -> str:
    return "digest-" + hashlib.sha256("|".join(keys).encode()).hexdigest()[:40]


def absolute(url: str) -> str:
    return settings.SAHAKAR_BASE_URL.rstrip("/") + url


def ack_token(delivery: Delivery) -> str:
    return signing.dumps({"d": delivery.pk}, salt=ACK_SALT, compress=True)


def ack_url(delivery: Delivery) -> str:
    return absolute(reverse("notifications:ack_link", args=[ack_token(delivery)]))


def single(delivery: Delivery, language: str) -> Content:
    notification = delivery.notification
    with translation.override(language):
        context = {
            "notification": notification,
            "message": notification.message(language),
            "link": absolute(notification.url),
            "ack_link": ack_url(delivery)
            # Someone without a login (``user`` None) cannot acknowledge: no link.
            if notification.requires_ack and not notification.acknowledged_at
            and delivery.user_id
            else "",
        }
        subject = render_to_string("notifications/email/subject.txt", context).strip()
        body = render_to_string("notifications/email/single.txt", context)
        files = attachments_for(notification, link=context["link"])
    return Content(subject=" ".join(subject.split()), body=body, language=language,
                   attachments=files)


def digest(deliveries: Sequence[Delivery], language: str) -> Content:
    items = [
        {"message": d.notification.message(language), "link": absolute(d.notification.url)}
        for d in deliveries
    ]
    with translation.override(language):
        context = {"items": items, "inbox": absolute(reverse("notifications:inbox"))}
        subject = render_to_string("notifications/email/digest_subject.txt", context).strip()
        body = render_to_string("notifications/email/digest.txt", context)
    return Content(subject=" ".join(subject.split()), body=body, language=language)
