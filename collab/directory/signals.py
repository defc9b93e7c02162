"""Signals of the directory that ordinary model signals do not cover.

``positions_imported`` — sent once, after the commit of an ``import_directory`` run that
changed positions, because the import writes with ``executemany`` and so sends no
``post_save`` per Position (300,000 of them would take hours of receivers). Arguments:

* ``position_ids``: set of pks of positions created or whose holder changed (filled or
  vacated);
* ``unit_paths``: set of the materialised paths of their units (``"/MOH/PHD-05/…/"``).

Receivers that follow positions (chat unit channels, training assignments) should
re-sync those units in bulk. People deactivated by ``--deactivate-missing`` are listed in
``people_deactivated`` (``person_ids``: set of pks; ``method``: import, scim or admin),
sent after the commit of any deactivation, and
people created or changed in ``people_imported`` (``person_ids``).
"""

from django.dispatch import Signal

positions_imported = Signal()
people_deactivated = Signal()
people_imported = Signal()
