"""Handshake checks of ``/ws/``: who is connecting, and from which page."""

import logging
from urllib.parse import urlparse

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser

from collab.accounts.selectors import user_for_token

logger = logging.getLogger(__name__)


def _headers(scope) -> dict[bytes, bytes]:
    return dict(scope.get("headers", []))


def _bearer(scope) -> str | None:
    auth = _headers(scope).get(b"authorization", b"").decode("latin-1")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


class TokenOrSessionAuthMiddleware:
    """Authenticates a websocket by `Authorization: Bearer <token>`, else by session cookie."""

    def __init__(self, inner):
        self.inner = AuthMiddlewareStack(inner)
        self.bare = inner

    async def __call__(self, scope, receive, send):
        token = _bearer(scope)
        if token is not None:
            user = await database_sync_to_async(user_for_token)(token)
            scope = {**scope, "user": user or AnonymousUser()}
            return await self.bare(scope, receive, send)
        return await self.inner(scope, receive, send)


class BrowserOriginValidator:
    """Refuses a handshake from a page of another site (HTTP 403), and logs it.

    Browsers always send ``Origin`` on a websocket handshake and cannot add an
    ``Authorization`` header, so a Bearer-token handshake without ``Origin`` comes from a
    script or app, not a cross-site page: it is let through. Everything else must come
    from one of ``ALLOWED_HOSTS``.
    """

    def __init__(self, inner):
        self.inner = inner
        self.checked = AllowedHostsOriginValidator(inner)

    async def __call__(self, scope, receive, send):
        origin = _headers(scope).get(b"origin")
        if origin is None and _bearer(scope) is not None:
            return await self.inner(scope, receive, send)
        parsed = urlparse(origin.decode("latin-1")) if origin else None
        if not self.checked.valid_origin(parsed):
            shown = origin.decode("latin-1") if origin else None
            logger.warning("Refused websocket handshake from origin %r", shown)
        return await self.checked(scope, receive, send)
