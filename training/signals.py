from django.db import transaction


def position_saved(sender, instance, **kwargs) -> None:
    """A newcomer in a unit gets the unit's assignments as soon as the position commits."""
    from .services.assignments import sync_for_position

    if instance.holder_id or instance.acting_holder_id:
        transaction.on_commit(lambda: sync_for_position(position=instance))


def after_migrate(sender, **kwargs) -> None:
    """Fresh databases (and test databases after a flush) get /training/."""
    from .services.tree import ensure_training_index

    ensure_training_index()


def tree_changed(sender, **kwargs) -> None:
    """A page, document or site changed: cached lessons are rebuilt (see lesson_cache)."""
    from .lesson_cache import bump_generation

    bump_generation()
