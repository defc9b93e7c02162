import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from collab.search.services import count_documents, rebuild_index


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database (segmentation in a process pool), "
        "then swap it in; searches keep working meanwhile."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes", type=int, default=None, help="Segmentation processes (default: CPUs)."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (logs, CI)."
        )

    def handle(self, *args, processes: int | None, no_progress: bool, **options):
        started = time.monotonic()
        total = count_documents()
        with tqdm(total=total, unit="doc", disable=no_progress, file=self.stderr) as bar:
            count = rebuild_index(processes=processes, on_progress=bar.update)
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} documents in {seconds:.1f} s."))
