"""Recordings live under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT: no URL reaches them, only
the checked view streams them (the development media route serves MEDIA_ROOT only)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a checked view.")


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _storage
