"""The outbox as the worker runs it (one pass in-process; the live tests use the real
worker process), against a real SMTP server."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from collab.core import clock
from collab.notifications import timing
from collab.notifications.delivery import deliver_due
from collab.notifications.emails import message_id
from collab.notifications.models import Delivery, Preference, UserSettings
from collab.notifications.services import emit

from .factories import person

pytestmark = pytest.mark.django_db
MESSAGE = {"en": "A form is waiting", "km": "មានទម្រង់មួយកំពុងរង់ចាំ"}


def _emit(who, key, urgency="routine", event_type="form.waiting"):
    return emit(event_type=event_type, event_key=key, people=[who], message=MESSAGE,
                url="/forms/1/", urgency=urgency)


def _email(user) -> Delivery:
    return Delivery.objects.get(user=user, channel="email")


def test_message_id_is_the_idempotency_key(smtp):
    ana = person("ana")
    _emit(ana, "k1")
    assert deliver_due() == 1
    [message] = smtp.mailbox.messages
    delivery = _email(ana.user)
    assert message["Message-ID"] == message_id(delivery.idempotency_key)
    assert delivery.status == "sent" and delivery.attempts == 1
    assert list(delivery.attempt_log.values_list("outcome", flat=True)) == ["sent"]
    assert deliver_due() == 0  # nothing sent twice


def test_failures_are_retried_with_exponential_backoff_and_every_attempt_recorded(
    smtp, settings
):
    ana = person("ana")
    _emit(ana, "k1")
    settings.EMAIL_PORT = _closed_port()
    deliver_due()
    first = _email(ana.user)
    assert first.status == "pending" and first.attempts == 1
    assert first.next_attempt_at - first.attempt_log.get().at == timedelta(seconds=30)

    clock.set_offset(31)
    deliver_due()
    second = _email(ana.user)
    assert second.attempts == 2
    assert second.next_attempt_at - second.attempt_log.last().at == timedelta(seconds=60)
    assert deliver_due() == 0  # not due yet

    settings.EMAIL_PORT = smtp.port
    clock.set_offset(31 + 61)
    deliver_due()
    done = _email(ana.user)
    assert done.status == "sent" and done.attempts == 3
    assert list(done.attempt_log.values_list("outcome", flat=True)) == ["error", "error", "sent"]
    assert "ConnectionRefused" in done.attempt_log.first().detail
    assert len(smtp.mailbox.messages) == 1


def test_gives_up_after_the_last_attempt(settings):
    ana = person("ana")
    _emit(ana, "k1")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    offset = 0
    for _ in range(timing.MAX_ATTEMPTS):
        clock.set_offset(offset)
        deliver_due()
        offset += timing.RETRY_MAX_SECONDS + 1
    failed = _email(ana.user)
    assert failed.status == "failed" and failed.attempts == timing.MAX_ATTEMPTS
    assert failed.attempt_log.count() == timing.MAX_ATTEMPTS


def _closed_port() -> int:
    from .smtp import free_port

    return free_port()  # nothing listens there: connection refused


def _quiet_now(user, *, hours_left: int = 2) -> datetime:
    """Quiet hours around the current local time; returns when they end."""
    local = clock.now().astimezone(ZoneInfo(settings.TIME_ZONE))
    start = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end_dt = (local + timedelta(hours=hours_left)).replace(second=0, microsecond=0)
    UserSettings.objects.create(user=user, quiet_start=start, quiet_end=end_dt.time())
    return end_dt


def test_quiet_hours_hold_routine_email_until_they_end_and_urgent_bypasses(smtp):
    ana = person("ana")
    ends = _quiet_now(ana.user)
    _emit(ana, "routine-1")
    _emit(ana, "urgent-1", urgency="urgent")
    routine = Delivery.objects.get(notification__event_key="routine-1", channel="email")
    assert routine.next_attempt_at == ends
    deliver_due()
    assert [m["Message-ID"] for m in smtp.mailbox.messages] == [
        message_id(Delivery.objects.get(notification__event_key="urgent-1",
                                        channel="email").idempotency_key)
    ]
    # in-app is never held: the bell counts both
    assert ana.user.notification_inbox.filter(read_at__isnull=True).count() == 2

    clock.set_offset((ends - clock.now()).total_seconds() + 1)
    deliver_due()
    assert len(smtp.mailbox.messages) == 2
    routine.refresh_from_db()
    assert routine.status == "sent"


def test_hourly_digest_sends_one_email_for_all_routine_items(smtp):
    ana = person("ana", language="km")
    UserSettings.objects.create(user=ana.user, digest="hourly")
    for i in range(3):
        _emit(ana, f"routine-{i}")
    _emit(ana, "urgent-1", urgency="urgent")
    deliver_due()
    assert len(smtp.mailbox.messages) == 1  # the urgent one, at once

    digest = Delivery.objects.filter(digest=True)
    assert digest.count() == 3
    top_of_hour = timing.next_digest_at(clock.now(), "hourly")
    assert all(d.next_attempt_at == top_of_hour for d in digest)
    clock.set_offset((top_of_hour - clock.now()).total_seconds() + 1)
    deliver_due()
    assert len(smtp.mailbox.messages) == 2
    body = smtp.mailbox.text(smtp.mailbox.messages[1])
    assert body.count(MESSAGE["km"]) == 3
    assert smtp.mailbox.messages[1]["Content-Language"] == "km"
    assert all(d.status == "sent" for d in Delivery.objects.filter(digest=True))


def test_daily_digest_per_event_type_preference():
    ana = person("ana")
    Preference.objects.create(user=ana.user, event_type="form.waiting", channel="email",
                              mode="digest")
    _emit(ana, "r1")
    _emit(ana, "r2", event_type="other.thing")
    daily = Delivery.objects.get(notification__event_key="r1", channel="email")
    other = Delivery.objects.get(notification__event_key="r2", channel="email")
    assert daily.digest and daily.next_attempt_at == timing.next_digest_at(clock.now(), "daily")
    local = daily.next_attempt_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    assert local.time() == time(7, 0)
    assert not other.digest


def test_preference_off_skips_routine_but_never_urgent():
    ana = person("ana")
    Preference.objects.create(user=ana.user, event_type="", channel="email", mode="off")
    _emit(ana, "r1")
    _emit(ana, "u1", urgency="urgent")
    assert Delivery.objects.get(notification__event_key="r1", channel="email").status == "skipped"
    assert Delivery.objects.get(notification__event_key="u1", channel="email").status == "pending"


def test_two_workers_never_claim_the_same_row():
    from collab.notifications.delivery import claim_due

    for i in range(5):
        _emit(person(f"p{i}"), f"k{i}")
    first = claim_due(worker="w1", limit=3)
    second = claim_due(worker="w2", limit=10)
    assert len(first) == 3 and len(second) == 2
    assert not {d.pk for d in first} & {d.pk for d in second}
