"""The databases' own indexes for name search over ``Person.search_text`` (migration 0004).

PostgreSQL: pg_trgm's GIN index, which serves ``LIKE '%part%'`` and word-start patterns.
SQLite: two FTS5 tables over the column: the trigram tokenizer for parts of three
characters or more, and whole words (Khmer marks kept inside words) with prefix indexes for
shorter starts, kept in step by triggers so raw SQL writes are indexed too. SQLite drops a
table's triggers when Django remakes the table (an ``AlterField`` on ``Person``): such a
migration must call ``create_sqlite_triggers`` again."""

from collections.abc import Iterator
from contextlib import contextmanager

NAME_TRIGRAMS = "directory_person_fts"
NAME_WORDS = "directory_person_words"
_TABLES = {
    NAME_TRIGRAMS: "tokenize='trigram'",
    NAME_WORDS: "tokenize=\"unicode61 categories 'L* N* Co M*' remove_diacritics 0\", "
    "prefix='1 2'",
}
_TRIGGERS = {"ai": "INSERT", "ad": "DELETE", "au": "UPDATE OF search_text"}
# Below this many written people the per-row triggers (~0.3 ms a row) beat a rebuild.
BULK_REBUILD_FROM = 5_000


def _trigger_body(event: str) -> str:
    lines = []
    for table in _TABLES:
        if event != "INSERT":
            lines.append(
                f"INSERT INTO {table}({table}, rowid, search_text) "
                "VALUES ('delete', old.id, old.search_text);"
            )
        if event != "DELETE":
            lines.append(
                f"INSERT INTO {table}(rowid, search_text) VALUES (new.id, new.search_text);"
            )
    return " ".join(lines)


def create_sqlite_triggers(cursor) -> None:
    for suffix, event in _TRIGGERS.items():
        cursor.execute(
            f"CREATE TRIGGER IF NOT EXISTS directory_person_names_{suffix} AFTER {event} "
            f"ON directory_person BEGIN {_trigger_body(event)} END"
        )


def drop_sqlite_triggers(cursor) -> None:
    for suffix in _TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS directory_person_names_{suffix}")


def rebuild_sqlite_tables(cursor) -> None:
    for table in _TABLES:
        cursor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")


def create(cursor, vendor: str) -> None:
    if vendor == "postgresql":
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS directory_person_search_trgm "
            "ON directory_person USING gin (search_text gin_trgm_ops)"
        )
    elif vendor == "sqlite":
        for table, options in _TABLES.items():
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(search_text, "
                f"content='directory_person', content_rowid='id', {options})"
            )
        rebuild_sqlite_tables(cursor)
        create_sqlite_triggers(cursor)


def drop(cursor, vendor: str) -> None:
    if vendor == "postgresql":
        cursor.execute("DROP INDEX IF EXISTS directory_person_search_trgm")
    elif vendor == "sqlite":
        drop_sqlite_triggers(cursor)
        for table in _TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


@contextmanager
def bulk_writes(connection, *, rows: int) -> Iterator[None]:
    """Around a bulk write of ``rows`` people inside a transaction: on SQLite, with many
    rows, suspend the triggers and rebuild the tables once after (a 300,000-row import took
    6 minutes through the triggers; a rebuild costs ~7 s per 100,000 people). In the
    caller's transaction, so no other connection sees the tables without their triggers."""
    if connection.vendor != "sqlite" or rows < BULK_REBUILD_FROM:
        yield
        return
    with connection.cursor() as cursor:
        drop_sqlite_triggers(cursor)
    yield
    with connection.cursor() as cursor:
        rebuild_sqlite_tables(cursor)
        create_sqlite_triggers(cursor)
