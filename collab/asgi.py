import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from collab.core.staticfiles import StaticFilesASGI  # noqa: E402
from realtime.auth import BrowserOriginValidator, TokenOrSessionAuthMiddleware  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": StaticFilesASGI(django_asgi_app),
        "websocket": BrowserOriginValidator(
            TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Everything loaded so far (Django, Wagtail, aiortc, our views) lives as long as the
# process. Frozen, a full garbage collection no longer walks it: measured, such a pass took
# ~200 ms with 500 sockets open, and every socket waited for it (docs/PERFORMANCE.md, Chat).
get_resolver().resolve("/")  # import every view now, not on the first request
gc.collect()
gc.freeze()
# Full collections (seconds apart under load) still walk every open socket's objects: make
# them rarer. Objects without reference cycles are freed at once whatever the threshold.
gc.set_threshold(700, 10, 100)
