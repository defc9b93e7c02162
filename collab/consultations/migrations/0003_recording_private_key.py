"""Recordings get a random key (frames, URLs, file names) and move to PRIVATE_MEDIA_ROOT."""

import secrets
import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

import collab.consultations.models
import collab.consultations.storage


def keys_and_private_files(apps, schema_editor):
    Recording = apps.get_model("consultations", "Recording")
    for recording in Recording.objects.all():
        recording.key = secrets.token_urlsafe(24)
        if recording.file:
            old = Path(settings.MEDIA_ROOT) / recording.file.name
            name = f"recordings/{recording.key}.mp4"
            new = Path(settings.PRIVATE_MEDIA_ROOT) / name
            if old.exists():
                new.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(old, new)
            recording.file = name if new.exists() else ""
        recording.save(update_fields=["key", "file"])


class Migration(migrations.Migration):

    dependencies = [
        ("consultations", "0002_recording"),
    ]

    operations = [
        migrations.AddField(
            model_name="recording",
            name="key",
            field=models.CharField(editable=False, max_length=40, null=True),
        ),
        migrations.RunPython(keys_and_private_files, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="recording",
            name="key",
            field=models.CharField(
                default=collab.consultations.models.new_recording_key, editable=False,
                max_length=40, unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="recording",
            name="file",
            field=models.FileField(
                blank=True, storage=collab.consultations.storage.private_storage,
                upload_to="recordings/", verbose_name="file",
            ),
        ),
    ]
