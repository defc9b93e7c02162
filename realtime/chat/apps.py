from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "realtime.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from realtime.streams import register_stream_provider

        from . import handlers, jobs, signals  # noqa: F401  (registration on import)
        from .selectors import room_streams

        register_stream_provider("chat.room.", room_streams)
