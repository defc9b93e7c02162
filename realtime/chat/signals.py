"""Org-unit channels follow the directory: a Position change re-syncs the affected rooms.

One re-sync per unit per transaction, after commit (a bulk import saving thousands of
positions costs one pass per unit). Changes no save announces (an acting period ending, a
person deactivated) are caught by the periodic job in jobs.py.
"""

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from collab.directory.models import Position

from .models import Room

_pending = threading.local()


def _resync(unit_paths: set[str]) -> None:
    from . import services

    codes = {c for path in unit_paths for c in path.strip("/").split("/") if c}
    rooms = Room.objects.filter(kind=Room.Kind.UNIT, org_unit__code__in=codes).select_related(
        "org_unit"
    )
    for room in rooms:
        if room.org_unit.path in unit_paths or room.include_subunits:
            services.sync_unit_channel(room=room)


def _flush() -> None:
    paths, _pending.paths = getattr(_pending, "paths", set()), set()
    if paths:
        _resync(paths)


@receiver([post_save, post_delete], sender=Position)
def position_changed(sender, instance: Position, **kwargs) -> None:
    if not hasattr(_pending, "paths"):
        _pending.paths = set()
    _pending.paths.add(instance.unit.path)
    # The first callback to run flushes every pending path; the others find nothing to do.
    transaction.on_commit(_flush)
