"""Attachment checks: the type comes from the file's bytes, never from its name."""

import io
import zipfile

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from collab.core.errors import ServiceError

_MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
THUMBNAIL_SIZE = (320, 320)

_OFFICE = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}


def sniff(head: bytes, stream) -> tuple[str, str] | None:
    """(content type, extension) of a supported file from its bytes, else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(stream)
    return None


def _sniff_zip(stream) -> tuple[str, str] | None:
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as zf:
            names = zf.namelist()
            if "mimetype" in names:
                mimetype = zf.read("mimetype").strip()
                if mimetype in _ODF:
                    return mimetype.decode(), _ODF[mimetype]
            if "[Content_Types].xml" in names:
                for prefix, kind in _OFFICE.items():
                    if any(n.startswith(prefix) for n in names):
                        return kind
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        stream.seek(0)
    return None


def check_upload(upload, *, max_bytes: int) -> tuple[str, str]:
    """Validate an uploaded file; returns (content type, extension) or raises ServiceError."""
    if upload.size > max_bytes:
        raise ServiceError(
            "too_large",
            _("The file is %(size)s bytes; the limit is %(max)s bytes.")
            % {"size": upload.size, "max": max_bytes},
            status=413,
            field="file",
        )
    if upload.size == 0:
        raise ServiceError("invalid", _("The file is empty."), status=422, field="file")
    upload.seek(0)
    head = upload.read(16)
    kind = sniff(head, upload)
    upload.seek(0)
    if kind is None:
        raise ServiceError(
            "unsupported_type",
            _("Only images (PNG, JPEG, GIF, WebP), PDF and office documents can be shared."),
            status=415,
            field="file",
        )
    return kind


def thumbnail(upload) -> bytes | None:
    """A WebP thumbnail of an image, or None if the image cannot be decoded safely."""
    upload.seek(0)
    try:
        with Image.open(upload) as img:
            if img.width * img.height > _MAX_PIXELS:
                return None
            img.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            img.convert("RGBA" if img.mode in ("RGBA", "LA", "P") else "RGB").save(
                out, "WEBP", quality=75
            )
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)
