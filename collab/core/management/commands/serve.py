import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the suite with Daphne and run the background worker; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host: str, port: str, **options):
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        # Both read HOST/PORT for the default SAHAKAR_BASE_URL (links in emails, QR codes).
        env = {**os.environ, "HOST": host, "PORT": str(port)}
        procs = {
            "daphne": subprocess.Popen(
                [python, "-m", "daphne", "-b", host, "-p", str(port), "collab.asgi:application"],
                env=env,
            ),
            "worker": subprocess.Popen([python, manage, "run_worker"], env=env),
        }
        # `kill` (SIGTERM) stops both as Ctrl-C does, instead of orphaning them.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        self.stdout.write(self.style.SUCCESS(f"Sahakar is at http://{host}:{port}/ (Ctrl-C stops)"))
        try:
            while all(p.poll() is None for p in procs.values()):
                try:
                    procs["daphne"].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
        except KeyboardInterrupt:
            pass
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in procs.values():
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        stopped_by_us = (0, -signal.SIGTERM, -signal.SIGINT)
        failed = [name for name, p in procs.items() if p.returncode not in stopped_by_us]
        if failed:
            self.stderr.write(f"Stopped: {', '.join(failed)} exited with an error.")
            sys.exit(1)
