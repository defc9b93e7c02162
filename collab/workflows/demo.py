"""Demo data for ``seed_demo``: the built-in workflow definitions."""

from .builtin import install


def seed() -> None:
    install()
