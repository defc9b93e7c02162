from django.http import HttpRequest
from ninja.security import HttpBearer

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
