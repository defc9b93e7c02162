from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "collab.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from collab.search import jobs  # noqa: F401  (the worker's index writer)
        from collab.search.services import connect_signals

        connect_signals()
