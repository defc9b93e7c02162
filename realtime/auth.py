from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser

from collab.accounts.selectors import user_for_token


class TokenOrSessionAuthMiddleware:
    """Authenticates a websocket by `Authorization: Bearer <token>`, else by session cookie."""

    def __init__(self, inner):
        self.inner = AuthMiddlewareStack(inner)
        self.bare = inner

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.lower().startswith("bearer "):
            user = await database_sync_to_async(user_for_token)(auth[7:].strip())
            scope = {**scope, "user": user or AnonymousUser()}
            return await self.bare(scope, receive, send)
        return await self.inner(scope, receive, send)
