"""Environment of live-test subprocesses (read by ``live_asgi`` and ``live_manage``)."""

import os
from importlib import import_module


def configure() -> None:
    """Before Django sets up: use this test session's private channel-layer prefix."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
    from django.conf import settings

    prefix = os.environ.get("SAHAKAR_LIVE_CHANNEL_PREFIX")
    config = settings.CHANNEL_LAYERS.get("default", {}).get("CONFIG")
    if prefix and config is not None and "prefix" in config:
        config["prefix"] = prefix


def preload() -> None:
    """After Django is set up: import the test-only modules the test asked for."""
    for name in filter(None, os.environ.get("SAHAKAR_LIVE_PRELOAD", "").split(",")):
        import_module(name)
