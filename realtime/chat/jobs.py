"""Periodic chat jobs, run by `manage.py run_worker`."""

import logging

from collab.core.scheduling import periodic

from . import services

logger = logging.getLogger(__name__)


@periodic(every=3600)
def enforce_retention() -> None:
    deleted = services.apply_retention()
    if deleted:
        logger.info("chat retention deleted %s messages", deleted)


# Signals keep unit channels current on every Position save; this catches what no save
# announces (an acting period ending, a person deactivated).
@periodic(every=600)
def sync_unit_channels() -> None:
    services.sync_all_unit_channels()
