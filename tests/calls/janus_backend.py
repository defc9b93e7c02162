"""Preloaded in a live Daphne: its meetings go through the session's Janus (conftest.py)."""

from pathlib import Path

from django.conf import settings

settings.SAHAKAR_JANUS_URLS = (Path(settings.DATA_DIR) / "janus-urls").read_text().split(",")
