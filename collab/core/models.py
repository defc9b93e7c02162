from django.db import models


class WorkerHeartbeat(models.Model):
    """Written every few seconds by each running `run_worker` process (see /healthz)."""

    worker_id = models.CharField(max_length=64, unique=True)
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.last_seen:%H:%M:%S}"
