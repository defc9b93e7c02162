"""Preloaded into live servers (``live_servers(preload=...)``): single sign-on settings
come from ``oidc-live.json`` in the data dir, written by the test once its provider runs
(the provider's redirect URIs need the server's port, so neither can start first)."""

import json
from pathlib import Path

from django.conf import settings

from collab.identity import oidc

CONFIG_FILE = "oidc-live.json"
_configured = oidc.config


def config():
    path = Path(settings.DATA_DIR) / CONFIG_FILE
    if path.exists():
        for name, value in json.loads(path.read_text()).items():
            setattr(settings, name, value)
    return _configured()


oidc.config = config
