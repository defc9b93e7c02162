from django.utils.translation import gettext_lazy as _


class ChatError(Exception):
    """A refused chat action; ``code`` is stable for clients, ``detail`` is for people."""

    status = 400

    def __init__(self, code: str, detail: str, *, status: int | None = None, **extra):
        super().__init__(detail)
        self.code = code
        self.detail = str(detail)
        self.extra = extra
        if status is not None:
            self.status = status


def forbidden() -> ChatError:
    # One answer for "no such room" and "not yours": outsiders learn nothing.
    return ChatError("forbidden", _("You cannot access this room."), status=403)


def invalid(field: str, detail: str) -> ChatError:
    return ChatError("invalid", detail, status=422, field=field)
