"""Preloaded into a live server (tests/support/live.py): calls of three go through the relay."""

from django.conf import settings

settings.SAHAKAR_CALL_MESH_LIMIT = 2
