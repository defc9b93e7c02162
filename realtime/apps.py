from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    label = "realtime"
    verbose_name = _("Realtime")

    def ready(self) -> None:
        from .transport import close_failed_connections_cleanly

        close_failed_connections_cleanly()
