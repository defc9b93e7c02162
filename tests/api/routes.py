"""The project's own routes, read from the URL conf (Django's and Wagtail's admin excluded)."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

PROJECT_PACKAGES = ("collab.", "realtime.", "knowledge.", "training.")


@dataclass(frozen=True)
class Route:
    pattern: str  # the full route, e.g. "chat/rooms/<id:room_id>/"
    module: str  # the view's module

    @property
    def converters(self) -> list[str]:
        return re.findall(r"<(\w+):\w+>", self.pattern)


def _walk(patterns, prefix=""):
    for p in patterns:
        here = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, here)
        elif isinstance(p, URLPattern):
            yield Route(here, getattr(p.callback, "__module__", "") or "")


def project_routes() -> list[Route]:
    return [
        r for r in _walk(get_resolver().url_patterns)
        if r.module.startswith(PROJECT_PACKAGES) or r.pattern.startswith("api/v1/")
    ]
