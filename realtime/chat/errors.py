from django.utils.translation import gettext_lazy as _

from collab.core.errors import ServiceError


def forbidden() -> ServiceError:
    # One answer for "no such room" and "not yours": outsiders learn nothing.
    return ServiceError("forbidden", _("You cannot access this room."), status=403)


def invalid(field: str, detail: str) -> ServiceError:
    return ServiceError("invalid", detail, status=422, field=field)
