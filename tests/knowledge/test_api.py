"""/api/v1/knowledge: recent list filtered by visibility, feedback, subscription."""

from tests.knowledge.conftest import add_article, add_space


def test_recent_lists_only_what_the_reader_may_see(client, kb):
    space = add_space(kb.index, "Board", slug="board", private=True, member_units=[kb.ward])
    add_article(space, "Budget", slug="budget")
    client.force_login(kb.users["outsider"])
    body = client.get("/api/v1/knowledge/articles/recent").json()
    assert [i["title"] for i in body["items"]] == ["Severe dehydration"]
    assert body["count"] == 1 and body["items"][0]["language"] == "en"
    client.force_login(kb.users["reader"])
    titles = [i["title"] for i in client.get("/api/v1/knowledge/articles/recent").json()["items"]]
    assert titles == ["Budget", "Severe dehydration"]
    assert client.get("/api/v1/knowledge/articles/recent?limit=0").status_code == 422


def test_feedback_and_subscription(client, kb):
    assert (
        client.post(
            f"/api/v1/knowledge/articles/{kb.article.pk}/feedback",
            {"helpful": True},
            content_type="application/json",
        ).status_code
        == 401
    )
    client.force_login(kb.users["reader"])
    url = f"/api/v1/knowledge/articles/{kb.article.pk}/feedback"
    response = client.post(url, {"helpful": "maybe"}, content_type="application/json")
    assert response.status_code == 422 and "helpful" in response.json()["message"]
    response = client.post(
        url, {"helpful": True, "comment": "Clear"}, content_type="application/json"
    )
    assert response.status_code == 201
    sub = f"/api/v1/knowledge/spaces/{kb.space.pk}/subscription"
    response = client.put(sub, {"subscribed": True}, content_type="application/json")
    assert response.json() == {"subscribed": True}
    private = add_space(kb.index, "Board", slug="board", private=True, member_units=[])
    response = client.put(
        f"/api/v1/knowledge/spaces/{private.pk}/subscription",
        {"subscribed": True},
        content_type="application/json",
    )
    assert response.status_code == 404
