from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from collab.accounts.selectors import active_user
from collab.accounts.services import create_token


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, username: str, name: str, **options):
        user = active_user(username)
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        try:
            token = create_token(user=user, name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(token)
