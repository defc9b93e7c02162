import os
import socket

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from collab.core.models import WorkerHeartbeat
from collab.core.scheduling import Scheduler


class Command(BaseCommand):
    help = "Run the background worker: queued tasks plus the periodic jobs, with a heartbeat."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds between polls.")

    def handle(self, *args, interval: float, **options):
        worker_id = f"{socket.gethostname()}-{os.getpid()}"[:64]

        def heartbeat() -> None:
            WorkerHeartbeat.objects.update_or_create(
                worker_id=worker_id, defaults={"last_seen": timezone.now()}
            )

        scheduler = Scheduler(on_tick=heartbeat)
        scheduler.start()
        self.stdout.write(f"Worker {worker_id} started.")
        try:
            Worker(
                queue_names=["*"],
                interval=interval,
                batch=False,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            ).run()
        finally:
            scheduler.stopping.set()
            WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
