"""Where uploaded files live: Wagtail documents and original images never under MEDIA_ROOT.

Documents and original images may belong to private spaces, and whatever serves
``MEDIA_ROOT`` (Django's ``/media/`` in development, a web server in production) checks no
permission. So they live under ``PRIVATE_MEDIA_ROOT`` with unguessable names
(``documents/<token>/<name>``, ``original_images/<token>.<ext>``) and have no URL: they go
out only through checked views (Wagtail's document view with our ``before_serve_document``
hook, ``knowledge:image`` for renditions). Renditions stay under ``MEDIA_ROOT``; their names
come from the original's unguessable one. Everything else is plain ``FileSystemStorage``.
"""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage

PRIVATE_PREFIXES = ("documents/", "original_images/")


def is_private(name: str) -> bool:
    return name.replace("\\", "/").startswith(PRIVATE_PREFIXES)


def unguessable(name: str) -> str:
    folder, base = os.path.split(name)
    token = secrets.token_urlsafe(16)
    if folder == "original_images":
        return f"{folder}/{token}{os.path.splitext(base)[1].lower()}"
    return f"{folder}/{token}/{base}"


class MediaStorage(FileSystemStorage):
    def _private(self) -> FileSystemStorage:
        return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)

    def path(self, name: str) -> str:
        return self._private().path(name) if is_private(name) else super().path(name)

    def _save(self, name, content) -> str:
        if is_private(name):
            return self._private()._save(name, content)
        return super()._save(name, content)

    def url(self, name: str) -> str:
        if is_private(name):
            # Wagtail then serves documents through its view (serve_view).
            raise NotImplementedError("private files have no URL")
        return super().url(name)

    def generate_filename(self, filename: str) -> str:
        name = super().generate_filename(filename)
        return unguessable(name) if is_private(name) else name


def move_legacy_files() -> int:
    """Files stored under MEDIA_ROOT before this storage: move them to the private root under
    unguessable names (and drop renditions named after the old names). Idempotent."""
    from django.core.files.storage import storages
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    if not isinstance(storages["default"], MediaStorage):
        return 0
    moved = 0
    for model in (get_document_model(), get_image_model()):
        for obj in model.objects.exclude(file=""):
            old = os.path.join(settings.MEDIA_ROOT, obj.file.name)
            if not (is_private(obj.file.name) and os.path.isfile(old)):
                continue
            new_name = unguessable(obj.file.name)
            new = os.path.join(settings.PRIVATE_MEDIA_ROOT, new_name)
            os.makedirs(os.path.dirname(new), exist_ok=True)
            os.replace(old, new)
            model.objects.filter(pk=obj.pk).update(file=new_name)
            if hasattr(obj, "renditions"):
                obj.renditions.all().delete()
            moved += 1
    return moved
