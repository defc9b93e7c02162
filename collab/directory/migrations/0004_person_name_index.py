"""Indexes for name search over ``Person.search_text``. PostgreSQL: pg_trgm's GIN index
(substrings, and word prefixes of any length). SQLite: two FTS5 tables over the same column,
kept in step by triggers (so the import's raw ``executemany`` writes are indexed too): one
with the trigram tokenizer for substrings of three characters or more, one of whole words
(Khmer marks kept inside words) with prefix indexes for shorter prefixes.

SQLite drops a table's triggers when Django remakes the table (an ``AlterField`` on
``Person``): a later migration that does so must run ``SQLITE_TRIGGERS`` again."""

from django.db import migrations

TRIGRAMS = "directory_person_fts"
WORDS = "directory_person_words"
TABLES = {
    TRIGRAMS: "tokenize='trigram'",
    WORDS: "tokenize=\"unicode61 categories 'L* N* Co M*' remove_diacritics 0\", prefix='1 2'",
}


def _trigger_body(*, add: bool, remove: bool) -> str:
    lines = []
    for table in TABLES:
        if remove:
            lines.append(
                f"INSERT INTO {table}({table}, rowid, search_text) "
                "VALUES ('delete', old.id, old.search_text);"
            )
        if add:
            lines.append(f"INSERT INTO {table}(rowid, search_text) VALUES (new.id, new.search_text);")
    return "\n".join(lines)


SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS directory_person_names_ai AFTER INSERT ON directory_person "
    f"BEGIN {_trigger_body(add=True, remove=False)} END",
    "CREATE TRIGGER IF NOT EXISTS directory_person_names_ad AFTER DELETE ON directory_person "
    f"BEGIN {_trigger_body(add=False, remove=True)} END",
    "CREATE TRIGGER IF NOT EXISTS directory_person_names_au "
    "AFTER UPDATE OF search_text ON directory_person "
    f"BEGIN {_trigger_body(add=True, remove=True)} END",
]


def create_index(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        run(
            "CREATE INDEX IF NOT EXISTS directory_person_search_trgm "
            "ON directory_person USING gin (search_text gin_trgm_ops)"
        )
    elif schema_editor.connection.vendor == "sqlite":
        for table, options in TABLES.items():
            run(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(search_text, "
                f"content='directory_person', content_rowid='id', {options})"
            )
            run(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
        for trigger in SQLITE_TRIGGERS:
            run(trigger)


def drop_index(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run("DROP INDEX IF EXISTS directory_person_search_trgm")
    elif schema_editor.connection.vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            run(f"DROP TRIGGER IF EXISTS directory_person_names_{suffix}")
        for table in TABLES:
            run(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0003_person_search_text"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
