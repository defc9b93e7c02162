"""The one error a service raises when it refuses an action.

``code`` is stable for clients, ``message`` is for people (translated), ``status`` is the
HTTP status the API answers with, ``extra`` travels with it (``field``, ``retry_after``...).
The API turns it into ``{"message", "code", **extra}`` (collab/api.py), the websocket into
``{"type": "error", "code", "detail", **extra}`` (realtime/consumers.py), pages into a
message for the person.
"""

from typing import Any


class ServiceError(Exception):
    def __init__(self, code: str, message: Any, *, status: int = 400, **extra: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = str(message)
        self.status = status
        self.extra = extra

    def payload(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code, **self.extra}

    def frame(self) -> dict[str, Any]:
        return {**self.extra, "type": "error", "code": self.code, "detail": self.message}
