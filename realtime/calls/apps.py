from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "realtime.calls"
    label = "calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from realtime.streams import register_stream_provider

        from . import (
            handlers,  # noqa: F401  (registers the signalling frames)
            opus,
        )
        from .selectors import meeting_streams

        register_stream_provider("calls.meeting.", meeting_streams)
        opus.install()  # the relay's (and every server peer's) Opus: mono, ≤ 32 kbps, FEC
