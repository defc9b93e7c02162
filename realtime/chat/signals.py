"""Org-unit channels follow the directory: a Position change re-syncs the affected rooms."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from collab.directory.models import Person, Position

from .models import Room


def _resync(unit_path: str) -> None:
    from . import services

    codes = [c for c in unit_path.strip("/").split("/") if c]
    rooms = Room.objects.filter(kind=Room.Kind.UNIT, org_unit__code__in=codes).select_related(
        "org_unit"
    )
    for room in rooms:
        if room.org_unit.path == unit_path or room.include_subunits:
            services.sync_unit_channel(room=room)


@receiver([post_save, post_delete], sender=Position)
def position_changed(sender, instance: Position, **kwargs) -> None:
    path = instance.unit.path
    transaction.on_commit(lambda: _resync(path))


@receiver(post_save, sender=Person)
def person_changed(sender, instance: Person, **kwargs) -> None:
    paths = {p.unit.path for p in instance.positions.select_related("unit")}
    paths |= {p.unit.path for p in instance.acting_positions.select_related("unit")}
    for path in paths:
        transaction.on_commit(lambda path=path: _resync(path))
