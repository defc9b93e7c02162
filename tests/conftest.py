import os

import pytest

# Shared fixtures: a real Daphne (+ worker) in a subprocess, and Debian's Chromium.
pytest_plugins = ["tests.support.live", "tests.support.browser"]


def services_required() -> bool:
    """In CI a missing PostgreSQL/Redis/Chromium is a failure, not a skip."""
    return os.environ.get("SAHAKAR_REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
