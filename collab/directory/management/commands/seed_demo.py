"""Load the demo data (idempotent): the directory first, then every app's demo step.

See collab/directory/demo.py for how an app adds its own demo data.
"""

import importlib
import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from collab.directory import demo


def _app_demo_modules():
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name in (name, config.name):
                continue
            raise
        if module is not demo and callable(getattr(module, "seed", None)):
            yield name, module.seed


class Command(BaseCommand):
    help = "Load the demo data (org units, people, logins, shifts, then each app's demo data)."

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(iterable, **kw):
            return tqdm(iterable, file=self.stderr, leave=False, **kw)

        with transaction.atomic():
            demo.seed(progress)
        self.stdout.write("directory: done")
        for name, step in _app_demo_modules():
            with transaction.atomic():
                step()
            self.stdout.write(f"{name}: done")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {time.monotonic() - started:.1f} s. Logins: admin, doctor, "
                "nurse, manager, trainee (password: SAHAKAR_DEMO_PASSWORD or the local default)."
            )
        )
