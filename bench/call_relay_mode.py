"""Preloaded into the Daphne of `bench/call_browser.py --relay`: two people already use the
server relay."""

from django.conf import settings

settings.SAHAKAR_CALL_MESH_LIMIT = 1
