"""All writes of the search app: queue index updates, apply them with one writer, rebuild."""

import logging
import multiprocessing
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from haystack import connections
from haystack.constants import ID
from whoosh.index import LockError

from collab.search.indexes import SahakarIndex, index_for_label, search_types, segment_document
from collab.search.models import PendingIndexUpdate

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def backend():
    return connections["default"].get_backend()


def enqueue_index_update(*, model: type[models.Model], ids: Iterable) -> None:
    """Queue (re-)indexing of objects; call inside the transaction of the causing write."""
    label = model._meta.label_lower
    rows = [PendingIndexUpdate(model=label, object_id=str(pk)) for pk in ids if pk is not None]
    if rows:
        PendingIndexUpdate.objects.bulk_create(rows)


def process_index_queue(*, limit: int = 500, lock_timeout: float = 2.0) -> int:
    """Apply up to ``limit`` queued updates in one commit; returns how many were applied.

    Run by the worker every second. If another writer (a rebuild, a second worker) holds
    the index lock, nothing is lost: the rows stay queued for the next run. If preparing
    a batch fails, its rows are retried one by one so that one bad object cannot hold up
    the others; a row failing ``MAX_ATTEMPTS`` times is dropped (and logged).
    """
    rows = list(PendingIndexUpdate.objects.order_by("id")[:limit])
    if not rows:
        return 0
    try:
        return _process(rows, lock_timeout)
    except LockError:
        logger.info("search index locked by another writer; %d updates wait", len(rows))
        return 0
    except Exception:
        if len(rows) == 1:
            logger.exception("indexing %s failed", rows[0])
            _count_failure(rows[0])
            return 0
    done = 0
    for row in rows:
        try:
            done += _process([row], lock_timeout)
        except LockError:
            return done
        except Exception:
            logger.exception("indexing %s failed", row)
            _count_failure(row)
    return done


def _count_failure(row: PendingIndexUpdate) -> None:
    if row.attempts + 1 >= MAX_ATTEMPTS:
        logger.error("giving up indexing %s after %d attempts", row, MAX_ATTEMPTS)
        PendingIndexUpdate.objects.filter(pk=row.pk).delete()
    else:
        PendingIndexUpdate.objects.filter(pk=row.pk).update(attempts=models.F("attempts") + 1)


def _process(rows: list[PendingIndexUpdate], lock_timeout: float) -> int:
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        wanted[row.model].add(row.object_id)
    found_by_index, remove_ids = [], []
    for label, ids in wanted.items():
        index = index_for_label(label)
        if index is None:
            continue
        found = {str(obj.pk): obj for obj in index.index_queryset().filter(pk__in=ids)}
        found_by_index.append((index, list(found.values())))
        remove_ids += [f"{label}.{pk}" for pk in ids if pk not in found]
    _apply(found_by_index, remove_ids, lock_timeout)
    PendingIndexUpdate.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)


def _apply(found_by_index: list, remove_ids: list[str], lock_timeout: float) -> None:
    be = backend()
    if hasattr(be, "write"):  # our Whoosh backend: everything in one commit
        docs = [index.full_prepare(obj) for index, objs in found_by_index for obj in objs]
        be.write(docs=docs, remove_ids=remove_ids, timeout=lock_timeout)
        return
    for index, objs in found_by_index:  # any other haystack engine (e.g. Elasticsearch)
        if objs:
            be.update(index, objs)
    for doc_id in remove_ids:
        be.remove(doc_id)


def drain_index_queue() -> int:
    """Apply everything queued (tests, management commands)."""
    total = 0
    while done := process_index_queue():
        total += done
    return total


# -- signals: saves and deletes of indexed (and watched) models enqueue updates -----------


def _on_change(sender, instance, **kwargs) -> None:
    for index in search_types().values():
        if sender is index.get_model():
            enqueue_index_update(model=sender, ids=[instance.pk])
        elif sender in index.watch:
            try:
                ids = list(index.watch[sender](instance))
            except ObjectDoesNotExist:  # deleted along with what it pointed to
                continue
            enqueue_index_update(model=index.get_model(), ids=ids)


def connect_signals() -> None:
    senders = set()
    for index in search_types().values():
        senders.add(index.get_model())
        senders.update(index.watch)
    for sender in senders:
        uid = f"search-{sender._meta.label_lower}"
        models.signals.post_save.connect(_on_change, sender=sender, dispatch_uid=uid + "-save")
        models.signals.post_delete.connect(_on_change, sender=sender, dispatch_uid=uid + "-del")
    for index in search_types().values():
        index.connect()


# -- rebuild ---------------------------------------------------------------------------------


def _raw_batches(index: SahakarIndex, batch: int) -> Iterator[list[dict]]:
    queryset = index.index_queryset().order_by("pk")
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        objs = list(page[:batch])
        if not objs:
            return
        yield [index.raw_document(obj) for obj in objs]
        last = objs[-1].pk


def count_documents() -> int:
    return sum(idx.index_queryset().count() for idx in search_types().values())


def rebuild_index(
    *,
    processes: int | None = None,
    batch: int = 200,
    on_progress: Callable[[int], None] = lambda n: None,
) -> int:
    """Rebuild the whole index beside the live one and swap it in; returns documents indexed.

    Segmentation (the expensive part) runs in a process pool; one writer adds documents.
    The live index keeps answering queries meanwhile, and its write lock is held so queued
    updates wait (they are applied to the new index after the swap).
    """
    be = backend()
    be.setup()
    live = Path(be.path)
    fresh = live.with_name(live.name + ".rebuilding")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    lock = be.storage.lock("MAIN_WRITELOCK")
    if not lock.acquire(blocking=True):
        raise LockError("could not lock the live index")
    count = 0
    try:
        new_index = be.storage.__class__(str(fresh)).create_index(be.schema)
        writer = new_index.writer(limitmb=256)
        processes = processes or max(1, (os.cpu_count() or 2))
        pool = multiprocessing.get_context("fork").Pool(processes) if processes > 1 else None

        def segment_all(raws: list[dict]) -> list[dict]:
            if pool is None:
                return [segment_document(raw) for raw in raws]
            return pool.map(segment_document, raws, chunksize=16)

        try:
            for index in search_types().values():
                # Database reads stay in this thread (and its transaction); only the
                # segmentation is shipped to the pool.
                for raws in _raw_batches(index, batch):
                    for doc in segment_all(raws):
                        writer.add_document(**be.to_whoosh(doc))
                    count += len(raws)
                    on_progress(len(raws))
        finally:
            if pool:
                pool.close()
                pool.join()
        writer.commit()
        old = live.with_name(live.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if live.exists():
            live.rename(old)
        fresh.rename(live)
    finally:
        lock.release()
        # The previous index stays (as .old) until the next rebuild: a query in flight in
        # another process may still open one of its files.
        shutil.rmtree(fresh, ignore_errors=True)
    be.setup()
    return count


def ensure_index_built() -> int:
    """Build the index if it is empty while the database has documents (a fresh install,
    a deleted index directory). Returns documents indexed (0 when nothing was needed)."""
    if backend().searcher().doc_count() or not count_documents():
        return 0
    logger.info("search index is empty: building it")
    return rebuild_index(processes=1)


def indexed_ids(*, kind: str | None = None) -> set[str]:
    """Document ids in the index (for checks and tests)."""
    searcher = backend().searcher()
    return {
        fields[ID]
        for fields in searcher.all_stored_fields()
        if kind is None or fields.get("kind") == kind
    }


def clear_index() -> None:
    with transaction.atomic():
        PendingIndexUpdate.objects.all().delete()
    backend().clear()
