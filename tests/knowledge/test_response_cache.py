"""The whole-response cache of articles: same page as uncached, per-user parts, privacy, purge."""

import re

from django.test import Client

from collab.directory.models import Person
from knowledge import response_cache, services
from tests.knowledge.conftest import add_article, add_space

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def without_tokens(html: str) -> str:
    return _TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.headers.get("X-Knowledge-Cache"), response.content.decode()


def test_cached_article_equals_uncached_for_the_same_user(client, kb):
    client.force_login(kb.users["reader"])
    first, uncached = fetch(client, kb.article.url)
    second, cached = fetch(client, kb.article.url)
    assert (first, second) == (None, "hit")
    assert without_tokens(cached) == without_tokens(uncached)
    assert "<summary>Test Reader</summary>" in cached and "Look for sunken eyes." in cached


def test_anonymous_readers_share_an_entry_with_their_own_csrf_token(kb):
    first, second = Client(), Client()
    assert fetch(first, kb.article.url)[0] is None
    status, html = fetch(second, kb.article.url)
    assert status == "hit" and "Log in to tell the owner." in html
    assert "<summary>" not in html


def test_a_second_user_gets_their_own_token_name_and_bell(kb):
    reader = Client(enforce_csrf_checks=True)
    reader.force_login(kb.users["reader"])
    reader.get(kb.article.url)
    # The owner gets one unread notification: the reader's feedback.
    token = _TOKEN.search(reader.get(kb.article.url).content.decode()).group(1)
    assert (
        reader.post(
            f"/kb/pages/{kb.article.pk}/feedback/", {"helpful": "no", "csrfmiddlewaretoken": token}
        ).status_code
        == 302
    )

    owner = Client(enforce_csrf_checks=True)
    owner.force_login(kb.users["owner"])
    status, html = fetch(owner, kb.article.url)
    assert status == "hit"
    assert "<summary>Test Owner</summary>" in html and "Test Reader" not in html
    assert 'data-unread="1"' in html
    assert 'id="shell-bell-count">1</span>' in html
    # What the owner got from the cache is what an uncached render gives them.
    response_cache.purge_all()
    status, uncached = fetch(owner, kb.article.url)
    assert status is None and without_tokens(uncached) == without_tokens(html)
    # The token on the cached page is the owner's own: posting with it passes the CSRF check.
    token = _TOKEN.search(html).group(1)
    response = owner.post(
        f"/kb/pages/{kb.article.pk}/feedback/", {"helpful": "yes", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_a_private_article_is_never_served_from_cache_to_a_non_member(client, kb):
    space = add_space(kb.index, "Board", slug="board", private=True, member_units=[kb.ward])
    article = add_article(space, "Board minutes", slug="minutes")
    member = Client()
    member.force_login(kb.users["reader"])
    fetch(member, article.url)
    assert fetch(member, article.url)[0] == "hit"

    client.force_login(kb.users["outsider"])
    assert client.get(article.url).status_code == 403
    assert Client().get(article.url).status_code == 302  # anonymous: to the login page
    # Membership withdrawn without any publication: the entry is there, the check refuses.
    space.member_units.set([])
    space.save()  # saved, not published: no purge
    response = member.get(article.url)
    assert response.status_code == 403 and "Board minutes" not in response.content.decode()


def test_publish_unpublish_move_and_delete_purge(client, kb):
    client.force_login(kb.users["reader"])
    fetch(client, kb.article.url)
    assert fetch(client, kb.article.url)[0] == "hit"

    kb.article.title = "Severe dehydration (2027)"
    kb.article.save_revision().publish()
    status, html = fetch(client, kb.article.url)
    assert status is None and "Severe dehydration (2027)" in html

    fetch(client, kb.article.url)
    kb.article.unpublish()
    assert client.get(kb.article.url).status_code == 404
    kb.article.save_revision().publish()

    other = add_space(kb.index, "Other", slug="other")
    fetch(client, kb.article.url)
    old_url = kb.article.url
    kb.article.move(other, pos="last-child")
    assert client.get(old_url).status_code == 301  # Wagtail's redirect to the new address

    kb.article.refresh_from_db()
    new_url = kb.article.url
    fetch(client, new_url)
    assert fetch(client, new_url)[0] == "hit"
    kb.article.delete()
    assert client.get(new_url).status_code == 404


def test_pages_with_messages_or_a_query_string_are_not_served_from_cache(client, kb):
    client.force_login(kb.users["reader"])
    fetch(client, kb.article.url)
    assert fetch(client, kb.article.url + "?x=1")[0] is None
    client.post(f"/kb/spaces/{kb.space.pk}/subscription/", {"action": "subscribe"})
    status, html = fetch(client, kb.article.url)
    assert status is None and "You will be told" in html


def test_a_cache_hit_costs_few_queries(client, kb, django_assert_num_queries):
    fetch(client, kb.article.url)
    with django_assert_num_queries(0):
        assert fetch(client, kb.article.url)[0] == "hit"
    client.force_login(kb.users["reader"])
    fetch(client, kb.article.url)
    # Session and identity from the cache, no routing, no page: the bell count only.
    with django_assert_num_queries(1):
        assert fetch(client, kb.article.url)[0] == "hit"


def signed_in_and_cached(kb, name="reader"):
    reader = Client()
    reader.force_login(kb.users[name])
    fetch(reader, kb.article.url)
    assert fetch(reader, kb.article.url)[0] == "hit"
    return reader


def test_a_renamed_reader_sees_the_new_name_on_the_next_hit(kb):
    reader = signed_in_and_cached(kb)
    person = kb.users["reader"].person
    person.given_name_en = "Sokha"
    person.save()
    status, html = fetch(reader, kb.article.url)
    assert status == "hit" and "<summary>Test Sokha</summary>" in html


def test_a_changed_password_ends_the_old_session_on_cached_pages(kb):
    reader = signed_in_and_cached(kb)
    user = kb.users["reader"]
    user.set_password("a-new-password")
    user.save()
    html = fetch(reader, kb.article.url)[1]
    assert "<summary>" not in html and "Log in to tell the owner." in html


def test_a_deactivated_reader_gets_no_signed_in_page(kb, django_capture_on_commit_callbacks):
    from collab.directory.services import deactivate_people

    reader = signed_in_and_cached(kb)
    person = Person.objects.get(user=kb.users["reader"])
    with django_capture_on_commit_callbacks(execute=True):
        deactivate_people(person_ids=[person.pk])  # users updated in bulk: no post_save
    html = fetch(reader, kb.article.url)[1]
    assert "<summary>" not in html and "Log in to tell the owner." in html


def test_the_bell_of_a_cached_page_follows_reads(kb):
    from collab.notifications.selectors import unread_count
    from collab.notifications.services import mark_read

    services.record_feedback(user=kb.users["reader"], page=kb.article, helpful=False, comment="")
    owner = signed_in_and_cached(kb, "owner")
    user = kb.users["owner"]
    assert response_cache.unread_count(user.pk) == unread_count(user) == 1
    assert 'id="shell-bell-count">1</span>' in fetch(owner, kb.article.url)[1]
    mark_read(user=user)
    assert response_cache.unread_count(user.pk) == unread_count(user) == 0
    status, html = fetch(owner, kb.article.url)
    assert status == "hit" and 'id="shell-bell-count" hidden>0</span>' in html


def test_a_view_restriction_added_or_changed_applies_to_cached_pages_at_once(client, kb):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    reader = Client()
    reader.force_login(kb.users["reader"])
    for who in (client, reader):
        fetch(who, kb.article.url)
        assert fetch(who, kb.article.url)[0] == "hit"

    restriction = PageViewRestriction.objects.create(
        page=kb.article, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(nurses := Group.objects.create(name="Nurses"))
    refused = client.get(kb.article.url)
    assert refused.status_code == 302 and "X-Knowledge-Cache" not in refused.headers
    assert reader.get(kb.article.url).status_code == 302

    kb.users["reader"].groups.add(nurses)
    assert fetch(reader, kb.article.url)[0] is None  # a restricted page is never cached
    restriction.groups.remove(nurses)
    assert reader.get(kb.article.url).status_code == 302
    restriction.delete()
    assert fetch(client, kb.article.url)[0] is None
    assert fetch(client, kb.article.url)[0] == "hit"
