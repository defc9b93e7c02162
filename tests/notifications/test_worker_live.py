"""Through the real worker process: escalation on the suite clock, email over real SMTP,
and kill -9 in the middle of a delivery."""

import os
import signal

import pytest

from collab.core import clock
from collab.health.models import Patient
from collab.health.services import create_referral
from collab.notifications.delivery import LEASE
from collab.notifications.emails import message_id
from collab.notifications.models import Delivery, DeliveryAttempt, Notification
from collab.notifications.services import acknowledge, emit

from .factories import build_org, person, referral_rule
from .live import BASE_URL, start_worker, wait_until

pytestmark = [pytest.mark.live]


def _log_steps(pk: int) -> int:
    return len(Notification.objects.get(pk=pk).escalation_log) - 1  # after the creation entry


def test_referral_escalates_on_time_until_acknowledged(live_servers, live_pool, smtp):
    live_servers(0)
    org = build_org()
    referral_rule()
    patient = Patient.objects.create(
        health_id="KH-0001-2345", family_name_latin="Sokha", given_name_latin="Dara",
        family_name_km="សុខា", given_name_km="ដារា",
    )
    referral = create_referral(
        user=org.people["nurse"].user, health_id=patient.health_id, from_unit=org.centre,
        to_unit=org.hospital, specialty="paediatrics", urgency="urgent",
        reason="Fever 40°C for three days, Sokha Dara",
    )
    [n] = Notification.objects.filter(event_key=f"referral:{referral.pk}:created")
    worker = start_worker(live_pool, smtp_port=smtp.port)

    # the on-call paediatrician (Khmer) gets an email at once
    [first] = wait_until(lambda: smtp.mailbox.messages, worker=worker, what="first email")
    oncall_email = Delivery.objects.get(notification=n, user=org.people["oncall"].user,
                                        channel="email")
    assert first["Message-ID"] == message_id(oncall_email.idempotency_key)
    assert first["To"] == "oncall@example.org"
    assert first["Content-Language"] == "km"
    text = smtp.mailbox.text(first)
    assert str(first["Subject"]).strip().startswith("[Sahakar] បន្ទាន់: ការបញ្ជូនអ្នកជំងឺថ្មី")
    assert "ការបញ្ជូនអ្នកជំងឺថ្មី" in text and "សហការមិនដែលដាក់ព័ត៌មានអ្នកជំងឺ" in text
    assert f"{BASE_URL}/health/referrals/{referral.pk}/" in text
    assert f"{BASE_URL}/notifications/ack/" in text
    raw = first.as_string() + text + str(first["Subject"])
    for secret in ("KH-0001-2345", "Sokha", "Dara", "សុខា", "ដារា", "Fever", "three days"):
        assert secret not in raw

    # nobody acknowledges: +5 min the next on-call (English), +15 min the unit head
    clock.set_offset(5 * 60)
    wait_until(lambda: _log_steps(n.pk) == 1, worker=worker, what="step 1")
    second = smtp.mailbox.wait_for(2)[1]
    assert second["To"] == "backup@example.org" and second["Content-Language"] == "en"
    assert "New urgent referral for paediatrics" in smtp.mailbox.text(second)
    clock.set_offset(15 * 60)
    wait_until(lambda: _log_steps(n.pk) == 2, worker=worker, what="step 2")
    head = org.people["head"].user
    assert n.inbox_entries.filter(user=head, reason="escalation:2").exists()

    # the unit head acknowledges: step 3 (+30 min, parent unit head) never fires.
    # A second referral made now escalates at +20 min: once it has, the worker has
    # certainly looked at the first one past its +30 min step.
    acknowledge(notification=n, user=head)
    [sentinel] = emit(event_type="referral.created", event_key="sentinel",
                      org_unit=org.hospital, message={"en": "s", "km": "s"}, url="/s/")
    clock.set_offset(31 * 60)
    wait_until(lambda: _log_steps(sentinel.pk) >= 1, worker=worker, what="sentinel step")
    n.refresh_from_db()
    assert len(n.escalation_log) == 1 + 2
    assert not n.inbox_entries.filter(user=org.people["odhead"].user).exists()


def test_kill_9_during_delivery_loses_nothing_and_duplicates_nothing(
    live_servers, live_pool, smtp
):
    live_servers(0)
    people = [person(f"p{i}") for i in range(8)]
    for i, p in enumerate(people):
        emit(event_type="t.kill", event_key=f"kill:{i}", people=[p],
             message={"en": f"m{i}", "km": f"m{i}"}, url="/x/")
    emails = Delivery.objects.filter(channel="email")
    expected = {message_id(d.idempotency_key) for d in emails}
    assert len(expected) == 8

    smtp.mailbox.hold_at = 4  # the server keeps the 4th message's reply pending...
    worker = start_worker(live_pool, smtp_port=smtp.port)
    wait_until(smtp.mailbox.held.is_set, timeout=60, worker=worker, what="4th message")
    os.kill(worker.pid, signal.SIGKILL)  # ...while the worker is killed mid-send
    worker.wait()
    in_flight = str(smtp.mailbox.messages[3]["Message-ID"])
    assert emails.filter(status="sent").count() == 3
    stuck = emails.get(status="pending", claimed_by__gt="", attempts=0,
                       idempotency_key=in_flight[1:].split("@")[0])
    assert stuck.attempt_log.count() == 0
    smtp.mailbox.release.set()

    clock.set_offset(LEASE.total_seconds() + 1)  # the dead worker's lease runs out
    second = start_worker(live_pool, smtp_port=smtp.port)
    wait_until(lambda: emails.filter(status="sent").count() == 8, worker=second,
               what="all sent")

    received = smtp.mailbox.ids()
    assert set(received) == expected  # nothing lost
    assert all(count == 1 for mid, count in received.items() if mid != in_flight)
    # the one message in flight at the kill may arrive twice, with the same Message-ID
    assert received[in_flight] in (1, 2)
    sent_rows = DeliveryAttempt.objects.filter(delivery__channel="email", outcome="sent")
    assert sent_rows.count() == 8
    assert sorted(sent_rows.values_list("delivery_id", flat=True)) == sorted(
        emails.values_list("pk", flat=True)
    )
