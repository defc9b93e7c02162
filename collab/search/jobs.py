"""Worker jobs: the one index writer."""

from collab.core.scheduling import periodic
from collab.search.services import process_index_queue


@periodic(every=1)
def apply_index_updates() -> None:
    process_index_queue()
