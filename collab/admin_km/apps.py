from django.apps import AppConfig


class AdminKmConfig(AppConfig):
    name = "collab.admin_km"
    label = "admin_km"
    verbose_name = "Khmer for the admins"
