"""Generation marks of caches: entries stamped with an older mark are never served.

Every process must see a new mark at once. With a shared cache (Redis, in production) the
mark lives in that cache. In the embedded default each process has its own local-memory
cache, so the mark is a small file in the data dir, written by whichever process made the
change (the web server, the worker, a command such as ``import_knowledge``) and read by all.
"""

import os
import uuid

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache


def _in_files() -> bool:
    return isinstance(caches["default"], LocMemCache)


def _path(name: str):
    return settings.DATA_DIR / "generations" / name.replace(":", "-")


def current(name: str) -> str:
    """The mark now in force (made on first use)."""
    if not _in_files():
        mark = cache.get(name)
        if mark is None:
            mark = uuid.uuid4().hex
            if not cache.add(name, mark, None):
                mark = cache.get(name) or mark
        return str(mark)
    try:
        return _path(name).read_text()
    except FileNotFoundError:
        return bump(name)


def bump(name: str) -> str:
    """Make a new mark: every entry stamped with an earlier one is stale everywhere."""
    mark = uuid.uuid4().hex
    if not _in_files():
        cache.set(name, mark, None)
        return mark
    path = _path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = path.with_name(f".{path.name}.{mark}")
    written.write_text(mark)
    os.replace(written, path)  # readers see the old mark or the new one, never half
    return mark
