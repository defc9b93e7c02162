"""Import people and their positions from the HR CSV file (see docs/directory.md)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from collab.directory.csv_rows import COLUMNS
from collab.directory.services import import_directory


class Command(BaseCommand):
    help = (
        "Validate then upsert people and positions from a CSV file with the columns "
        + ",".join(COLUMNS)
        + ". With any bad row nothing is written and every error is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report what would change."
        )
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Deactivate people absent from the file, disable their logins, end sessions.",
        )

        parser.add_argument(
            "--allow-mass-deactivation",
            action="store_true",
            help="Allow --deactivate-missing to deactivate more than 100 people and 10%% "
            "of the active ones (refused by default: usually a truncated file).",
        )

    def handle(self, *args, file: Path, dry_run: bool, deactivate_missing: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        started = time.monotonic()

        def progress(iterable, **kw):
            return tqdm(iterable, file=self.stderr, disable=None, leave=False, **kw)

        result = import_directory(
            data=data,
            dry_run=dry_run,
            deactivate_missing=deactivate_missing,
            allow_mass_deactivation=options["allow_mass_deactivation"],
            progress=progress,
        )
        if result.errors:
            for error in result.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(f"{len(result.errors)} error(s) in {file.name}; nothing written.")
        self.stdout.write(
            f"{result.rows} rows in {time.monotonic() - started:.1f} s. People: "
            f"{result.people_created} created, {result.people_updated} updated "
            f"({result.people_reactivated} reactivated), {result.people_unchanged} unchanged, "
            f"{result.people_deactivated} deactivated. Positions: {result.positions_created} "
            f"created, {result.positions_filled} vacancies filled, {result.positions_vacated} "
            f"vacated. {result.sessions_ended} sessions ended."
        )
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing written."))
