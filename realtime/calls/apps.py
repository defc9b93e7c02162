from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "realtime.calls"
    label = "calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from django.conf import settings

        from collab.core.health import register_check
        from realtime.streams import register_stream_provider

        from . import (
            handlers,  # noqa: F401  (registers the signalling frames)
            janus,
            opus,
        )
        from .selectors import meeting_streams

        register_stream_provider("calls.meeting.", meeting_streams)
        opus.install()  # the relay's (and every server peer's) Opus: mono, ≤ 32 kbps, FEC
        register_check("janus", janus.health, when=lambda: bool(settings.SAHAKAR_JANUS_URLS))
