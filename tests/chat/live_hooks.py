"""Imported by chat's live servers (``preload``): limits high enough for scripted clients
(the flood test uses a server with the default limits)."""

from django.conf import settings

settings.SAHAKAR_CHAT_RATE_BURST = 1000
settings.SAHAKAR_CHAT_RATE_PER_SECOND = 5
settings.SAHAKAR_WS_RATE_LIMIT = (10_000, 10_000.0)
