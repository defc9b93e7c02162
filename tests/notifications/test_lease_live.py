"""The outbox lease with a heartbeat, through real worker processes and a real SMTP server:
a worker killed with SIGKILL leaves claims that a live worker takes within the short lease
(the clock is not moved), and a live worker held up longer than the lease keeps its claims."""

import os
import signal
import time

import pytest

from collab.core.clock import now
from collab.notifications.delivery import LEASE
from collab.notifications.emails import message_id
from collab.notifications.models import Delivery
from collab.notifications.services import emit

from .factories import person
from .live import start_worker, wait_until

pytestmark = [pytest.mark.live]


def _ready(worker) -> None:
    """The worker process is up (its start-up takes long on a loaded machine)."""
    wait_until(lambda: "Starting worker" in worker.log_path.read_text(), timeout=180,
               worker=worker, what="worker start-up")


def _emails(count: int):
    people = [person(f"q{i}") for i in range(count)]
    for i, p in enumerate(people):
        emit(event_type="t.lease", event_key=f"lease:{i}", people=[p], urgency="urgent",
             message={"en": f"m{i}", "km": f"m{i}"}, url="/x/")
    emails = Delivery.objects.filter(channel="email")
    return emails, {message_id(d.idempotency_key) for d in emails}


def test_a_killed_workers_claims_are_taken_by_a_live_worker_within_the_lease(
    live_servers, live_pool, smtp
):
    live_servers(0)
    emails, expected = _emails(6)
    smtp.mailbox.hold_at = 3
    doomed = start_worker(live_pool, smtp_port=smtp.port)
    wait_until(smtp.mailbox.held.is_set, timeout=60, worker=doomed, what="3rd message")
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait()
    killed_at = time.monotonic()
    smtp.mailbox.release.set()
    assert emails.filter(status="pending", claimed_by__gt="").count() == 4

    live = start_worker(live_pool, smtp_port=smtp.port)
    _ready(live)
    ready_at = time.monotonic()
    # The suite clock stays where it is: only the lease's own seconds pass.
    wait_until(lambda: emails.filter(status="sent").count() == 6, worker=live,
               timeout=LEASE.total_seconds() + 25, what="the dead worker's rows sent")
    print(f"retaken and sent {time.monotonic() - killed_at:.1f} s after the kill "
          f"(of which the new worker's start-up {ready_at - killed_at:.1f} s)")
    received = smtp.mailbox.ids()
    assert set(received) == expected


def test_a_live_worker_held_past_the_lease_keeps_its_claims(live_servers, live_pool, smtp):
    live_servers(0)
    emails, expected = _emails(4)
    smtp.mailbox.hold_at = 1
    first = start_worker(live_pool, smtp_port=smtp.port)
    wait_until(smtp.mailbox.held.is_set, timeout=60, worker=first, what="1st message")
    second = start_worker(live_pool, smtp_port=smtp.port)
    _ready(second)
    # Hold the first worker's send until its original lease has long run out.
    claimed_until = now() + LEASE
    wait_until(lambda: now() > claimed_until + LEASE, timeout=60, worker=second,
               what="two leases passed")
    assert emails.filter(status="pending", claimed_by__gt="").count() == 4
    assert len(smtp.mailbox.messages) == 1  # the second worker took nothing of the first's
    smtp.mailbox.release.set()
    wait_until(lambda: emails.filter(status="sent").count() == 4, worker=first,
               what="all sent")
    received = smtp.mailbox.ids()
    assert set(received) == expected and all(n == 1 for n in received.values())
