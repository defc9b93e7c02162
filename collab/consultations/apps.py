from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "collab.consultations"
    label = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from realtime.calls.signals import participant_admitted

        from . import handlers, jobs  # noqa: F401  (recording frames, retention job)
        from .services import on_participant_admitted

        participant_admitted.connect(on_participant_admitted, dispatch_uid="consultation-admit")
