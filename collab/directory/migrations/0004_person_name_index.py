from django.db import migrations

from collab.directory import name_index


def create_index(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        name_index.create(cursor, schema_editor.connection.vendor)


def drop_index(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        name_index.drop(cursor, schema_editor.connection.vendor)


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0003_person_search_text"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
