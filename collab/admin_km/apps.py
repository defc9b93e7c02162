from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdminKmConfig(AppConfig):
    name = "collab.admin_km"
    label = "admin_km"
    verbose_name = _("Khmer for the admins")
