"""python manage.py import_knowledge DIR --space SLUG [--publish]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from knowledge.importing import run_import
from knowledge.models import KnowledgeSpacePage


class Command(BaseCommand):
    help = (
        "Import Markdown, HTML and DOCX files from DIR as articles of a knowledge space. "
        "Re-running updates the pages imported from the same files."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--space", required=True, help="slug of the knowledge space")
        parser.add_argument("--locale", default="", help="km or en (default: any, en first)")
        parser.add_argument("--publish", action="store_true", help="publish (default: drafts)")

    def handle(self, *args, directory: Path, space: str, locale: str, publish: bool, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        spaces = KnowledgeSpacePage.objects.filter(slug=space)
        if locale:
            spaces = spaces.filter(locale__language_code=locale)
        target = spaces.order_by("locale__language_code").first()
        if target is None:
            slugs = KnowledgeSpacePage.objects.values_list("slug", flat=True)
            known = ", ".join(sorted(set(slugs)))
            raise CommandError(f"no knowledge space with slug {space!r} (known: {known or 'none'})")

        def progress(iterable, **kw):
            return tqdm(iterable, file=self.stderr, disable=options["verbosity"] < 1, **kw)

        outcome = run_import(directory=directory, space=target, publish=publish, progress=progress)
        for name, reason in outcome.failed:
            self.stderr.write(self.style.ERROR(f"skipped {name}: {reason}"))
        self.stdout.write(
            f"{len(outcome.created)} created, {len(outcome.updated)} updated, "
            f"{len(outcome.failed)} failed" + (" (published)" if publish else " (drafts)")
        )
        if outcome.failed:
            names = ", ".join(name for name, _reason in outcome.failed)
            raise CommandError(f"{len(outcome.failed)} file(s) could not be imported: {names}")
