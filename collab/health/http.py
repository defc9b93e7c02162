"""Responses that carry patient data must not be kept by browsers or proxies."""

from django.urls import URLPattern
from django.views.decorators.cache import never_cache


def no_store(patterns: list[URLPattern]) -> list[URLPattern]:
    """Every view of these URL patterns answers with ``Cache-Control: no-store`` (and
    ``private``, ``no-cache``, ``max-age=0``), whatever it answers."""
    for pattern in patterns:
        pattern.callback = never_cache(pattern.callback)
    return patterns
