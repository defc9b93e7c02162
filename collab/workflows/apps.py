import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "collab.workflows"
    label = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        # SpiffWorkflow logs every task's state change at INFO.
        logging.getLogger("spiff").setLevel(logging.WARNING)
        from . import jobs  # noqa: F401  (registers the periodic job)
