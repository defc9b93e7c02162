from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "collab.identity"
    label = "identity"
    verbose_name = _("External identities and provisioning")

    def ready(self) -> None:
        from . import receivers  # noqa: F401
