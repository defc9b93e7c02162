"""Wagtail's admin script catalogue, with Khmer added (Wagtail ships no Khmer)."""

from django.views.i18n import JavaScriptCatalog
from wagtail.admin.localization import get_localized_response

_catalogue = JavaScriptCatalog.as_view(packages=["wagtail.admin", "collab.admin_km"])


def admin_js_catalogue(request, *args, **kwargs):
    # In the editor's admin language, as Wagtail's own catalogue view answers.
    return get_localized_response(_catalogue, request, *args, **kwargs)
