"""The worker side of the outbox: claim due rows, send, record the attempt.

Crash safety: rows are claimed (token + lease) in one short transaction, sent, and then
marked sent in the same transaction that records the attempt. A worker killed between
the SMTP send and that commit leaves the row claimed; when the lease runs out another
worker sends it again with the same Message-ID (the idempotency key), so the window is
at-least-once and a copy can be recognised and dropped by Message-ID. Nothing is lost.

The lease is short (LEASE) and a live worker renews it (a heartbeat thread, every
HEARTBEAT_EVERY seconds, while it works through its claimed rows): a slow SMTP server never
costs a live worker its claims, and a killed worker's claims are taken again within LEASE.
"""

import logging
import os
import socket
import threading
from collections import defaultdict
from datetime import timedelta

from django.db import close_old_connections, connection, transaction
from django.db.models import Q

from collab.core.clock import now

from . import timing
from .channels import get_channel
from .models import Delivery, DeliveryAttempt

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=6)
HEARTBEAT_EVERY = 2.0
BATCH = 100


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:64]


def claim_due(*, worker: str, limit: int = BATCH) -> list[Delivery]:
    at = now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=at)
            .filter(Q(claim_until__isnull=True) | Q(claim_until__lt=at))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(claimed_by=worker, claim_until=at + LEASE)
    return list(
        Delivery.objects.filter(pk__in=ids, claimed_by=worker)
        .select_related("notification", "user__profile", "user__person", "person")
        .order_by("pk")
    )


def deliver_due(*, worker: str | None = None, limit: int = BATCH) -> int:
    """One pass of the outbox; returns how many rows were attempted."""
    worker = worker or worker_name()
    claimed = claim_due(worker=worker, limit=limit)
    if not claimed:
        return 0
    backends = [get_channel(name) for name in sorted({d.channel for d in claimed})]
    heartbeat = _Heartbeat(worker=worker, ids=[d.pk for d in claimed])
    for backend in backends:
        backend.open_batch()
    try:
        digests: dict[tuple[int, str], list[Delivery]] = defaultdict(list)
        for delivery in claimed:
            if delivery.digest:
                digests[(delivery.user_id, delivery.channel)].append(delivery)
            else:
                backend = get_channel(delivery.channel)
                _attempt([delivery], lambda ds, b=backend: b.deliver(ds[0]), worker=worker)
        for (_, channel), group in digests.items():
            _attempt(group, get_channel(channel).deliver_digest, worker=worker)
    finally:
        heartbeat.stop()
        for backend in backends:
            backend.close_batch()
    return len(claimed)


class _Heartbeat:
    """Renews the lease of a worker's claimed rows until stopped (its own connection).

    Inside a caller's transaction (tests, a shell) another connection cannot renew rows that
    transaction holds: there the rows keep the lease they were claimed with."""

    def __init__(self, *, worker: str, ids: list[int]) -> None:
        self._worker, self._ids = worker, ids
        self._stopped = threading.Event()
        self._thread = None
        if not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._run, name="outbox-heartbeat",
                                            daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stopped.wait(HEARTBEAT_EVERY):
                try:
                    Delivery.objects.filter(
                        pk__in=self._ids, claimed_by=self._worker,
                        status=Delivery.Status.PENDING,
                    ).update(claim_until=now() + LEASE)
                except Exception:  # a missed beat costs at most the lease, never the worker
                    logger.exception("outbox heartbeat failed")
        finally:
            close_old_connections()
            connection.close()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()


def _attempt(deliveries: list[Delivery], send, *, worker: str) -> None:
    try:
        send(deliveries)
        error = ""
    except Exception as exc:  # any failure is recorded and retried, never raised
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("delivery %s failed: %s", [d.pk for d in deliveries], error)
    at = now()
    with transaction.atomic():
        for delivery in deliveries:
            _record(delivery, error=error, at=at, worker=worker)


def _record(delivery: Delivery, *, error: str, at, worker: str) -> None:
    attempts = delivery.attempts + 1
    DeliveryAttempt.objects.create(
        delivery=delivery, worker=worker, at=at, detail=error[:2000],
        outcome=DeliveryAttempt.Outcome.ERROR if error else DeliveryAttempt.Outcome.SENT,
    )
    if not error:
        update = {"status": Delivery.Status.SENT, "sent_at": at, "last_error": ""}
    elif attempts >= timing.MAX_ATTEMPTS:
        update = {"status": Delivery.Status.FAILED, "last_error": error[:2000]}
    else:
        update = {"next_attempt_at": at + timing.retry_delay(attempts),
                  "last_error": error[:2000]}
    Delivery.objects.filter(pk=delivery.pk, claimed_by=worker).update(
        attempts=attempts, claimed_by="", claim_until=None, **update
    )
