from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.static import serve as serve_media
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from collab.admin_km.views import admin_js_catalogue
from collab.api import api
from collab.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Before Wagtail's own: the same catalogue, with Khmer.
    path("cms/jsi18n/", admin_js_catalogue, name="wagtailadmin_javascript_catalog"),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    path("accounts/", include("collab.accounts.urls")),
    path("identity/", include("collab.identity.urls")),
    path("scim/v2/", include("collab.identity.scim_urls")),
    path("directory/", include("collab.directory.urls")),
    path("notifications/", include("collab.notifications.urls")),
    path("health/", include("collab.health.urls")),
    path("consultations/", include("collab.consultations.urls")),
    path("workflows/", include("collab.workflows.urls")),
    path("search/", include("collab.search.urls")),
    path("chat/", include("realtime.chat.urls")),
    path("meetings/", include("realtime.calls.urls")),
    path("learning/", include("training.urls")),
    path("kb/", include("knowledge.urls")),
]
if settings.DEBUG:
    # Development only, and only for signed-in staff of the suite. Files that need a
    # permission check (chat attachments, private-space documents and images, recordings)
    # have their own checked views; in production no web server may expose MEDIA_ROOT.
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            login_required(serve_media),
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

# Wagtail serves the knowledge base and course pages from its page tree; keep last.
urlpatterns.append(path("", include(wagtail_urls)))
