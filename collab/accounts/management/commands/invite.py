from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from collab.accounts.selectors import people_to_invite
from collab.accounts.services import invite
from collab.directory.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Email people of the directory a one-time link (7 days) to choose their password. "
        "The emails go through the notification outbox: the worker sends them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="Only people holding (or acting in) a post here.")
        parser.add_argument("--subunits", action="store_true", help="With --unit: and below.")
        parser.add_argument(
            "--people-without-login", action="store_true",
            help="Only people who have no login yet, or one without a password.",
        )  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="List, send nothing.")

    def handle(self, *args, unit=None, subunits=False, people_without_login=False,
               dry_run=False, verbosity=1, **options):  # fmt: skip
        if subunits and not unit:
            raise CommandError("--subunits needs --unit.")
        org_unit = None
        if unit:
            org_unit = OrgUnit.objects.filter(code=unit).first()
            if org_unit is None:
                raise CommandError(f"No org unit with the code {unit!r}.")
        people = list(people_to_invite(
            unit=org_unit, subunits=subunits, without_login=people_without_login
        ))  # fmt: skip
        if dry_run:
            for person in people:
                self.stdout.write(f"{person.employee_id}\t{person.name_en}\t{person.email}")
            self.stdout.write(f"{len(people)} people would be invited (dry run).")
            return
        sent, problems = 0, []
        for person in tqdm(people, desc="invitations", unit="person", disable=verbosity < 1,
                           file=self.stderr):  # fmt: skip
            try:
                invite(person=person)
            except ValidationError as exc:
                problems.append(f"{person.employee_id}: {'; '.join(exc.messages)}")
            else:
                sent += 1
        for problem in problems:
            self.stderr.write(problem)
        self.stdout.write(f"{sent} invitations queued; the worker sends them.")
        if problems:
            raise CommandError(f"{len(problems)} people could not be invited (listed above).")
