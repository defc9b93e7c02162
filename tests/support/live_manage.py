"""``manage.py`` for live-test workers (same isolation and preloads as ``live_asgi``)."""

import sys

import django
from django.core.management import execute_from_command_line

from tests.support.live_env import configure, preload

if __name__ == "__main__":
    configure()
    django.setup()
    preload()
    execute_from_command_line(["manage.py", *sys.argv[1:]])
