from datetime import timedelta

import pytest
from django.utils import timezone

from collab.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_without_a_worker_heartbeat_healthz_is_503_naming_the_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["failing"] == ["task_worker"]
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["channel_layer"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    assert "run_worker" in body["checks"]["task_worker"]["detail"]


def test_with_a_fresh_heartbeat_healthz_is_200_without_login(client):
    WorkerHeartbeat.objects.create(worker_id="test-worker", last_seen=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "checks": response.json()["checks"],
    }
    assert all(check["ok"] for check in response.json()["checks"].values())
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_stale_heartbeat_counts_as_a_missing_worker(client):
    WorkerHeartbeat.objects.create(
        worker_id="old-worker", last_seen=timezone.now() - timedelta(minutes=5)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "silent for" in response.json()["checks"]["task_worker"]["detail"]


def test_a_broken_cache_is_named(client, settings):
    WorkerHeartbeat.objects.create(worker_id="test-worker", last_seen=timezone.now())
    # A cache that keeps nothing (Django resets its cache handler on this setting change).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
