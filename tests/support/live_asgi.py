"""ASGI entry point of live-test servers: the real ``collab.asgi.application``, plus the
per-session isolation and test-only preloads set by ``tests/support/live.py``."""

from tests.support.live_env import configure, preload

configure()

from collab.asgi import application  # noqa: E402

preload()

__all__ = ["application"]
