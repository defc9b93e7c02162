import pytest
from django.urls import reverse

KHMER_TEXT = "ក្រសួងសុខាភិបាល"


@pytest.fixture
def directory(make_person, make_unit, give_position, indexed):
    moh = make_unit("Ministry of Health", KHMER_TEXT, kind="ministry")
    sok = make_person("Sok", "Dara", "សុខ", "ដារា")
    give_position(sok, moh, "Vaccination officer", "មន្ត្រីចាក់វ៉ាក់សាំង")
    make_person("Sokha", "Chenda", "សុខា", "ចិន្តា")
    make_person("<script>alert(1)</script>", "Evil")
    indexed()
    return {"moh": moh, "sok": sok}


def test_search_page_needs_login(client):
    response = client.get("/search/?q=x")
    assert response.status_code == 302 and "login" in response["Location"]


def test_search_page_lists_hits_with_facets_and_marks(client, make_user, directory):
    client.force_login(make_user())
    response = client.get("/search/", {"q": "វ៉ាក់សាំង"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sok Dara" in html
    assert "<mark>វ៉ាក់សាំង</mark>" in html
    assert 'href="?q=%E1%9E%9C' in html  # facet links keep the Khmer query
    assert "/directory/people/" in html


def test_search_page_in_khmer_shows_khmer_titles(client, make_user, directory):
    client.force_login(make_user())
    client.cookies["sahakar_language"] = "km"
    html = client.get("/search/", {"q": "Dara"}, HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert "សុខ ដារា" in html


def test_search_page_facet_filters_by_type(client, make_user, directory):
    client.force_login(make_user())
    html = client.get("/search/", {"q": "សុខាភិបាល", "type": "unit"}).content.decode()
    assert "Ministry of Health" in html and "Sok Dara" not in html


def test_user_html_never_executes(client, make_user, directory):
    client.force_login(make_user())
    html = client.get("/search/", {"q": "evil"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_api_shape(client, make_user, directory):
    client.force_login(make_user())
    data = client.get("/api/v1/search", {"q": "Vaccination officer"}).json()
    assert data["count"] == 1
    assert data["items"] == [
        {
            "type": "person",
            "title": "Sok Dara",
            "url": reverse("directory:person", args=[directory["sok"].employee_id]),
            "snippet": data["items"][0]["snippet"],
        }
    ]
    assert "<mark>Vaccination</mark>" in data["items"][0]["snippet"]


def test_api_type_filter_and_mixed_query(client, make_user, directory):
    client.force_login(make_user())
    data = client.get("/api/v1/search", {"q": f"ministry {KHMER_TEXT}", "type": "unit"}).json()
    assert [i["title"] for i in data["items"]] == ["Ministry of Health"]


def test_api_rejects_bad_input_precisely(client, make_user):
    client.force_login(make_user())
    response = client.get("/api/v1/search", {"q": ""})
    assert response.status_code == 422
    assert "q" in response.json()["message"]
    response = client.get("/api/v1/search", {"q": "x" * 201})
    assert response.status_code == 422
    response = client.get("/api/v1/search", {"q": "a", "page": 0})
    assert response.status_code == 422 and "page" in response.json()["message"]
    response = client.get("/api/v1/search", {"q": "a", "type": "secrets"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "type"
    assert "person" in response.json()["message"]


def test_quoted_phrases_and_exclusions(client, make_user, directory):
    client.force_login(make_user())

    def titles(q):
        return [i["title"] for i in client.get("/api/v1/search", {"q": q}).json()["items"]]

    assert titles('"Vaccination officer"') == ["Sok Dara"]
    assert titles('"officer Vaccination"') == []
    assert titles('"មន្ត្រីចាក់"') == ["Sok Dara"]
    assert sorted(titles("សុខាភិបាល -dara")) == ["Ministry of Health"]


def test_api_needs_authentication(client):
    response = client.get("/api/v1/search", {"q": "dara"})
    assert response.status_code == 401


def test_people_typeahead_by_latin_and_khmer_prefix(client, make_user, directory):
    client.force_login(make_user())
    latin = client.get("/api/v1/search/people", {"q": "sok"}).json()
    assert sorted(i["title"] for i in latin["items"]) == ["Sok Dara", "Sokha Chenda"]
    khmer = client.get("/search/people/", {"q": "ដា"}).json()
    assert [i["title"] for i in khmer["items"]] == ["Sok Dara"]
    two_words = client.get("/api/v1/search/people", {"q": "sok da"}).json()
    assert [i["title"] for i in two_words["items"]] == ["Sok Dara"]


def test_typeahead_skips_deactivated_people(client, make_user, directory, indexed):
    client.force_login(make_user())
    directory["sok"].active = False
    directory["sok"].save()
    indexed()
    data = client.get("/api/v1/search/people", {"q": "sok"}).json()
    assert [i["title"] for i in data["items"]] == ["Sokha Chenda"]


def test_empty_and_punctuation_queries_are_harmless(client, make_user, directory):
    client.force_login(make_user())
    for q in ["", "   ", "។", '"', "AND", "(", "*", "a:b", "\u200b"]:
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200, q
        assert client.get("/api/v1/search", {"q": q or "x"}).status_code == 200
