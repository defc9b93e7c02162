"""Periodic jobs run by `manage.py run_worker` (imported from the app's ready())."""

from collab.core.scheduling import periodic

from .delivery import deliver_due
from .escalation import escalate_due


@periodic(every=1)
def escalate() -> None:
    escalate_due()


@periodic(every=1)
def deliver() -> None:
    while deliver_due():
        pass
