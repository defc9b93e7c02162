from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .selectors import token_row
from .services import record_token_use


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        row = token_row(token)
        if row is None:
            return None
        record_token_use(token=row)
        request.user = row.user
        return row.user


class SessionCookieAuth(SessionAuth):
    """Django's session, with its CSRF check, for requests that carry a session cookie.

    Without a session cookie there is no ambient credential to forge, so no CSRF case: the
    caller is simply unauthenticated (401 with `WWW-Authenticate: Bearer`, not ninja's 403
    "CSRF check Failed")."""

    def __call__(self, request: HttpRequest):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super().__call__(request)
