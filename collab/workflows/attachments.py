"""Files of a request: checked like chat uploads (size limit, type from the bytes, never
from the name), stored privately, read only by the people taking part."""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from collab.core.clock import now
from collab.core.errors import ServiceError
from collab.directory.models import Person
from realtime.chat.files import check_upload, thumbnail

from . import selectors
from .models import Attachment, Request

CLOSED = (Request.Status.APPROVED, Request.Status.REJECTED)


def check(upload, *, field: str = "file") -> tuple[str, str]:
    """(content type, extension) of an acceptable upload, else a ValidationError on
    ``field`` saying what is wrong (too large, empty, not a supported type)."""
    try:
        kind = check_upload(upload, max_bytes=settings.SAHAKAR_MAX_UPLOAD_BYTES)
    except ServiceError as exc:
        raise ValidationError({field: exc.message}, code=exc.code) from exc
    if kind[0].startswith("image/") and thumbnail(upload) is None:  # decodes it safely
        raise ValidationError({field: _("This image cannot be read.")}, code="unsupported_type")
    return kind


def store(*, request: Request, person: Person, upload, kind: tuple[str, str],
          field: str = "") -> Attachment:
    content_type, ext = kind
    stem = get_valid_filename((upload.name or "file").rsplit(".", 1)[0])[:80] or "file"
    attachment = Attachment(request=request, field=field, name=f"{stem}.{ext}",
                            content_type=content_type, size=upload.size, uploaded_by=person,
                            at=now())
    attachment.file.save(f"{uuid.uuid4().hex[:12]}-{stem}.{ext}", upload, save=False)
    attachment.save()
    return attachment


def add(*, person: Person, request: Request, upload) -> Attachment:
    """``person``, taking part in ``request``, adds a file to it while it is open."""
    if not selectors.can_view(person=person, request=request):
        raise PermissionDenied("This request is not yours to add files to.")
    if request.status in CLOSED:
        raise ValidationError({"file": _("This request is closed: no more files can be "
                                         "added to it.")})
    kind = check(upload)
    return store(request=request, person=person, upload=upload, kind=kind)
