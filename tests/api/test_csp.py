"""The Content-Security-Policy: websockets only to the suite itself, and on every answer."""

import pytest

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    pairs = (d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    return {name: value.split() for name, value in pairs}


def test_connect_src_names_no_foreign_websocket_host(client, settings):
    sources = _directives(client.get("/accounts/login/"))["connect-src"]
    assert "'self'" in sources
    assert not {"ws:", "wss:", "*", "https:", "http:"} & set(sources)
    host = settings.SAHAKAR_BASE_URL.split("://", 1)[1].rstrip("/")
    assert all(s == "'self'" or s.split("://", 1)[1] == host for s in sources), sources


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("path", [
    "/api/v1/no-such-route/", "/api/v1/training/certificates/NO-SUCH-CODE", "/no-such-page/",
])
def test_not_found_answers_carry_the_policy(client, settings, debug, path):
    settings.DEBUG = debug
    response = client.get(path)
    assert response.status_code == 404
    assert "connect-src" in _directives(response)


def test_json_errors_carry_the_policy(client):
    response = client.post("/api/v1/health/lab-results", {}, content_type="application/json")
    assert response.status_code == 401
    assert _directives(response)["default-src"] == ["'self'"]
