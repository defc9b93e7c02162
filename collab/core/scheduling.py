"""Periodic jobs run by `manage.py run_worker` (escalations, reminders, retention...).

Register with ``@periodic(every=seconds)`` in a module the app imports in ``ready()``.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

logger = logging.getLogger(__name__)


@dataclass
class Job:
    func: Callable[[], object]
    every: float
    next_run: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


_jobs: dict[str, Job] = {}


def periodic(*, every: float) -> Callable:
    def register(func: Callable[[], object]) -> Callable[[], object]:
        job = Job(func=func, every=every)
        _jobs[job.name] = job
        return func

    return register


def registered_jobs() -> list[Job]:
    return list(_jobs.values())


def run_due_jobs(at: float | None = None) -> int:
    """Run every job whose time has come; returns how many ran."""
    at = time.monotonic() if at is None else at
    ran = 0
    for job in _jobs.values():
        if job.next_run <= at:
            job.next_run = at + job.every
            close_old_connections()
            try:
                job.func()
            except Exception:
                logger.exception("periodic job %s failed", job.name)
            ran += 1
    return ran


class Scheduler(threading.Thread):
    def __init__(self, *, tick: float = 0.5, on_tick: Callable[[], None] | None = None):
        super().__init__(name="sahakar-scheduler", daemon=True)
        self.tick = tick
        self.on_tick = on_tick
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            if self.on_tick:
                try:
                    self.on_tick()
                except Exception:
                    logger.exception("scheduler heartbeat failed")
            run_due_jobs()
            self.stopping.wait(self.tick)
