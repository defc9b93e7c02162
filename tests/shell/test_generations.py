"""Generation marks are seen by every process at once: the worker or a command (another
process) publishes, and the web server's cached pages are stale at once."""

import pytest

from collab.core import generations

pytestmark = pytest.mark.django_db


def test_a_mark_is_stable_until_bumped_and_new_after():
    first = generations.current("test:generation")
    assert generations.current("test:generation") == first
    bumped = generations.bump("test:generation")
    assert bumped != first and generations.current("test:generation") == bumped
    assert generations.current("test:other") not in (first, bumped)


@pytest.mark.live
def test_an_article_published_by_another_process_is_not_served_stale(daphne_server):
    from knowledge.services import ensure_tree
    from tests.knowledge.conftest import add_article, add_space

    space = add_space(ensure_tree(), "Wards", slug="wards")
    article = add_article(space, "Hand hygiene", slug="hand-hygiene")

    def fetch():
        status, headers, body = daphne_server.get(article.url)
        assert status == 200
        return headers.get("X-Knowledge-Cache"), body.decode()

    fetch()
    hit, html = fetch()
    assert hit == "hit" and "Look for sunken eyes." in html

    # This test process is "another process" to the server (as the worker or
    # import_knowledge would be): its publish must reach the server's cache.
    article.body = [("rich_text", "<p>Use alcohol rub for 20 seconds.</p>")]
    article.save_revision().publish()
    status, html = fetch()
    assert status is None and "alcohol rub" in html and "sunken eyes" not in html
