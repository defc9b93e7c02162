"""/healthz reports every Janus instance, without its address; only none answering fails."""

from tests.calls.janus_server import free_tcp_port


def test_healthz_lists_janus_instances_and_fails_when_none_answers(client, settings, janus):
    nowhere = f"ws://127.0.0.1:{free_tcp_port()}"
    settings.SAHAKAR_JANUS_URLS = [janus.url, nowhere]
    check = client.get("/healthz").json()["checks"]["janus"]
    assert check["ok"] and check["detail"].startswith("#1: Janus 1.")
    assert check["detail"].endswith(", #2: down")
    assert janus.url not in check["detail"]

    settings.SAHAKAR_JANUS_URLS = [nowhere]
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (
        "janus" in body["failing"]
        and "no Janus instance answers" in body["checks"]["janus"]["detail"]
    )


def test_healthz_has_no_janus_check_without_janus(client, settings):
    settings.SAHAKAR_JANUS_URLS = []
    assert "janus" not in client.get("/healthz").json()["checks"]
