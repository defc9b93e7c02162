import pytest


@pytest.mark.django_db
def test_http_errors_are_json_with_a_message(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    response = client.post("/api/v1/notifications/999999/ack", content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"message": "Notification not found."}


@pytest.mark.django_db
def test_unauthenticated_api_calls_get_a_json_message(client):
    response = client.get("/api/v1/directory/people")
    assert response.status_code == 401
    assert response.json() == {"message": "Authentication required."}


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Sahakar API"
    assert any(path.startswith("/api/v1/chat/") for path in schema["paths"])


@pytest.mark.django_db
def test_media_files_are_not_served_to_anonymous_visitors(client, settings, tmp_path):
    (tmp_path / "media").mkdir(exist_ok=True)
    (tmp_path / "media" / "note.txt").write_text("private")
    response = client.get("/media/note.txt")
    assert response.status_code in (302, 404)
    assert b"private" not in response.content
