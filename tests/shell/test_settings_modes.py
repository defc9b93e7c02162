"""The two settings modes, each checked in a fresh interpreter with a controlled environment."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHOW_SETTINGS = (
    "import json; from django.conf import settings as s; print('SETTINGS=' + json.dumps({"
    "'debug': s.DEBUG, 'db': s.DATABASES['default']['ENGINE'],"
    "'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'cache': s.CACHES['default']['BACKEND'],"
    "'email': s.EMAIL_BACKEND, 'secure_cookie': s.SESSION_COOKIE_SECURE,"
    "'hsts': s.SECURE_HSTS_SECONDS, 'data_dir': str(s.DATA_DIR)}))"
)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def shown_settings(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("SETTINGS="))
    return json.loads(line.removeprefix("SETTINGS="))


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    return {
        "SAHAKAR_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/sahakar",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "sahakar.example.org",
        "SAHAKAR_DATA_DIR": str(tmp_path / "data"),
    }


def test_embedded_default_needs_no_environment(tmp_path):
    result = manage("shell", "-c", SHOW_SETTINGS, env={"SAHAKAR_DATA_DIR": str(tmp_path)})
    shown = shown_settings(result)
    assert shown["db"] == "django.db.backends.sqlite3"
    assert shown["layer"] == "channels.layers.InMemoryChannelLayer"
    assert shown["cache"].endswith("LocMemCache")
    assert shown["email"].endswith("console.EmailBackend")
    assert shown["debug"] is True


def test_production_passes_check_deploy_without_warnings(production_env):
    # One interpreter for both (each start costs seconds): the deploy checks, then settings.
    check_then_show = (
        "from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING');" + SHOW_SETTINGS
    )
    result = manage("shell", "-c", check_then_show, env=production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout

    shown = shown_settings(result)
    assert shown["debug"] is False
    assert shown["db"] == "django.db.backends.postgresql"
    assert shown["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert shown["cache"].endswith("RedisCache")
    assert shown["secure_cookie"] is True
    assert shown["hsts"] >= 31536000


@pytest.mark.parametrize("secret", [None, "a" * 64], ids=["missing", "weak"])
def test_production_refuses_to_start_without_a_strong_secret_key(production_env, secret):
    if secret is None:
        del production_env["SECRET_KEY"]
    else:
        production_env["SECRET_KEY"] = secret
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "strong SECRET_KEY" in result.stderr


def test_production_names_a_missing_database_url(production_env):
    del production_env["DATABASE_URL"]
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [("DEBUG", "1", "DEBUG"), ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS"),
     ("ALLOWED_HOSTS", " , ", "ALLOWED_HOSTS"), ("ALLOWED_HOSTS", None, "ALLOWED_HOSTS")],
    ids=["debug-on", "hosts-empty", "hosts-blank", "hosts-missing"],
)
def test_production_refuses_to_start_with_debug_or_without_hosts(
    production_env, variable, value, named
):
    if value is None:
        del production_env[variable]
    else:
        production_env[variable] = value
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


SHOW_QR_LINK = (
    "from training.models import Certificate; "
    "from training.services.certificates import verification_url; "
    "print('LINK=' + verification_url(Certificate(code='ABCD-EFGH-JKMN')))"
)


def qr_link(env: dict[str, str]) -> str:
    result = manage("shell", "-c", SHOW_QR_LINK, env=env)
    assert result.returncode == 0, result.stderr
    return next(x for x in result.stdout.splitlines() if x.startswith("LINK=")).removeprefix(
        "LINK="
    )


def test_certificate_links_follow_the_port_the_suite_serves_on(tmp_path, production_env):
    data = {"SAHAKAR_DATA_DIR": str(tmp_path)}
    path = "/learning/verify/ABCD-EFGH-JKMN/"
    assert qr_link({**data, "PORT": "9123"}) == f"http://127.0.0.1:9123{path}"
    assert qr_link({**data, "HOST": "0.0.0.0", "PORT": "8080"}) == f"http://127.0.0.1:8080{path}"
    assert qr_link({**data, "HOST": "::1", "PORT": "8080"}) == f"http://[::1]:8080{path}"
    explicit = {**data, "PORT": "9123", "SAHAKAR_BASE_URL": "https://sahakar.gov.kh"}
    assert qr_link(explicit) == f"https://sahakar.gov.kh{path}"
    assert qr_link({**production_env, "PORT": "9123"}) == f"https://sahakar.example.org{path}"
