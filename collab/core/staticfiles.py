"""Static files: hashed names, gzip + Brotli, a year of ``immutable`` caching, in both modes.

``collectstatic`` (``make setup`` runs it) writes hashed, compressed copies and a manifest
into ``STATIC_ROOT``. ``{% static %}`` then names the hashed copy even with DEBUG on (Django
would name the plain file), so WhiteNoise marks it immutable. Where no manifest exists yet
(a fresh data dir, a test's live server) and the app folders are served
(``WHITENOISE_USE_FINDERS``), plain names are used instead, revalidated on each visit.

Under Daphne, ``StaticFilesASGI`` answers static requests before Django: no session, no
middleware, no thread hop for a sync ``FileResponse`` (which Django's ASGI handler would read
whole, with a warning per response).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage

CHUNK = 256 * 1024


class StaticStorage(CompressedManifestStaticFilesStorage):
    def url(self, name, force=False):
        if settings.WHITENOISE_USE_FINDERS and (
            self.hash_key(self.clean_name(name)) not in self.hashed_files
        ):
            return StaticFilesStorage.url(self, name)
        return super().url(name, force=True)


class StaticFilesASGI:
    """ASGI wrapper: WhiteNoise's files (``STATIC_ROOT``, app folders, ``WHITENOISE_ROOT``)."""

    def __init__(self, app):
        self.app = app
        self.whitenoise = WhiteNoiseMiddleware(get_response=None)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = scope["path"][len(scope.get("root_path", "")) :]
            if self.whitenoise.autorefresh:
                static_file = self.whitenoise.find_file(path)
            else:
                static_file = self.whitenoise.files.get(path)
            if static_file is not None:
                await self.serve(static_file, scope, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def serve(static_file, scope, send) -> None:
        request_headers = {
            "HTTP_" + name.decode("latin-1").upper().replace("-", "_"): value.decode("latin-1")
            for name, value in scope["headers"]
        }
        response = static_file.get_response(scope["method"], request_headers)
        await send(
            {
                "type": "http.response.start",
                "status": int(response.status),
                "headers": [
                    (name.lower().encode("latin-1"), str(value).encode("latin-1"))
                    for name, value in response.headers
                ],
            }
        )
        if response.file is None:
            await send({"type": "http.response.body", "body": b""})
            return
        # Local files of at most a few hundred KB, read from the page cache: reading them
        # here is cheaper than a thread hop per chunk.
        with response.file as file:
            while True:
                chunk = file.read(CHUNK)
                more = len(chunk) == CHUNK
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
                if not more:
                    break
