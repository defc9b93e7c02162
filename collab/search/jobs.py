"""Worker jobs: the one index writer."""

from collab.core.scheduling import periodic
from collab.search.services import ensure_index_built, process_index_queue

_checked_index = False


@periodic(every=1)
def apply_index_updates() -> None:
    global _checked_index
    if not _checked_index:
        _checked_index = True
        ensure_index_built()
    process_index_queue()
