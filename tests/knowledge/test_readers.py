"""Readers: subscriptions, feedback to the owner, breadcrumbs, contents, related, cache."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from collab.notifications.models import Recipient
from knowledge import response_cache
from knowledge.models import Feedback
from knowledge.rendering import body_cache_key
from tests.knowledge.conftest import add_article, add_space


def told(user, event_type) -> list[str]:
    return list(
        Recipient.objects.filter(user=user, notification__event_type=event_type)
        .order_by("pk")
        .values_list("notification__message_en", flat=True)
    )


def test_subscribers_are_told_of_new_and_changed_pages(client, kb):
    client.force_login(kb.users["subscriber"])
    response = client.post(f"/kb/spaces/{kb.space.pk}/subscription/", {"action": "subscribe"})
    assert response.status_code == 302
    assert "Stop following" in client.get(kb.space.url).content.decode()

    add_article(kb.space, "Oral rehydration salts", slug="ors")
    kb.article.title = "Severe dehydration (revised)"
    kb.article.save_revision().publish()
    assert told(kb.users["subscriber"], "knowledge.page_published") == [
        "New in Paediatrics: Oral rehydration salts",
        "Updated in Paediatrics: Severe dehydration (revised)",
    ]
    client.post(f"/kb/spaces/{kb.space.pk}/subscription/", {"action": "unsubscribe"})
    add_article(kb.space, "Zinc", slug="zinc")
    assert len(told(kb.users["subscriber"], "knowledge.page_published")) == 2


def test_subscribers_who_lost_access_are_not_told(client, kb):
    group = Group.objects.create(name="Board")
    space = add_space(
        kb.index,
        "Board papers",
        slug="board",
        private=True,
        member_units=[kb.ward],
        member_groups=[group],
    )
    outsider = kb.users["outsider"]
    outsider.groups.add(group)
    for name in ("reader", "outsider"):
        client.force_login(kb.users[name])
        client.post(f"/kb/spaces/{space.pk}/subscription/", {"action": "subscribe"})
    outsider.groups.remove(group)
    add_article(space, "Budget 2027", slug="budget")
    assert told(kb.users["reader"], "knowledge.page_published") == [
        "New in Board papers: Budget 2027"
    ]
    assert told(outsider, "knowledge.page_published") == []


def test_non_member_cannot_subscribe_to_a_private_space(client, kb):
    space = add_space(kb.index, "Board", slug="board", private=True, member_units=[kb.ward])
    client.force_login(kb.users["outsider"])
    response = client.post(f"/kb/spaces/{space.pk}/subscription/", {"action": "subscribe"})
    assert response.status_code == 403


def test_feedback_with_a_comment_reaches_the_owner(client, kb):
    client.force_login(kb.users["reader"])
    response = client.post(
        f"/kb/pages/{kb.article.pk}/feedback/",
        {"helpful": "no", "comment": "Dose table is unclear"},
    )
    assert response.status_code == 302
    assert Feedback.objects.get().comment == "Dose table is unclear"
    assert told(kb.users["owner"], "knowledge.feedback") == [
        "Feedback on “Severe dehydration”: not helpful — Dose table is unclear"
    ]


def test_bad_feedback_is_refused_precisely_and_keeps_the_comment(client, kb):
    client.force_login(kb.users["reader"])
    response = client.post(f"/kb/pages/{kb.article.pk}/feedback/", {"comment": "Keep me"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="helpful"' in html and "Keep me</textarea>" in html
    too_long = "x" * 2001
    response = client.post(
        f"/kb/pages/{kb.article.pk}/feedback/", {"helpful": "yes", "comment": too_long}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="comment"' in html and "2001 characters" in html and too_long in html
    assert not Feedback.objects.exists()


def test_article_page_shows_breadcrumbs_contents_meta_and_related(client, kb):
    kb.article.tags.add("diarrhoea")
    kb.article.save_revision().publish()
    other = add_article(kb.space, "Zinc for diarrhoea", slug="zinc")
    other.tags.add("diarrhoea")
    other.save_revision().publish()
    html = client.get(kb.article.url).content.decode()
    assert 'aria-label="Breadcrumbs"' in html and f'href="{kb.space.url}"' in html
    assert '<a href="#assess">Assess</a>' in html and 'id="follow-up"' in html
    assert "Head of paediatrics" in html and "Last reviewed" in html
    assert 'class="kb-related"' in html and "Zinc for diarrhoea" in html
    assert "Recently updated" in client.get(kb.index.url).content.decode()


def test_rendered_body_is_cached_and_purged_on_publish(client, kb, django_assert_max_num_queries):
    cache.delete(body_cache_key(kb.article.pk, "en"))
    client.get(kb.article.url)
    assert cache.get(body_cache_key(kb.article.pk, "en")) is not None
    kb.article.body = [{"type": "rich_text", "value": "<p>Brand new advice</p>"}]
    kb.article.save_revision().publish()
    assert cache.get(body_cache_key(kb.article.pk, "en")) is None
    assert "Brand new advice" in client.get(kb.article.url).content.decode()


@pytest.mark.parametrize("anonymous", [True, False])
def test_article_page_query_count_is_pinned(client, kb, anonymous, django_assert_max_num_queries):
    if not anonymous:
        client.force_login(kb.users["reader"])
    client.get(kb.article.url)  # warm the body cache
    response_cache.purge_all()  # this pins the routed path, not a response-cache hit
    # Site, locale, Wagtail's first two levels, the article by address, its ancestry (which
    # answers breadcrumbs, private space and view restrictions), view restrictions, tags, the
    # owner; signed in also the user and the bell (the visibility rules are cached: an
    # article's publish does not change them; none restrict here, so no reader's groups).
    with django_assert_max_num_queries(9 if anonymous else 11):
        response = client.get(kb.article.url)
    assert response.status_code == 200 and "X-Knowledge-Cache" not in response.headers


def test_a_cache_entry_from_another_revision_is_never_served(client, kb):
    key = body_cache_key(kb.article.pk, "en")
    cache.set(key, {"html": "STALE BODY", "toc": [], "stamp": "another-database"})
    html = client.get(kb.article.url).content.decode()
    assert "STALE BODY" not in html and "Look for sunken eyes." in html


def test_a_draft_rendered_for_preview_does_not_touch_the_cache(rf, kb):
    key = body_cache_key(kb.article.pk, "en")
    cache.delete(key)
    draft = kb.article.get_latest_revision_as_object()
    draft.body = [{"type": "rich_text", "value": "<p>Draft only</p>"}]
    request = rf.get(kb.article.url)
    request.user = kb.users["owner"]
    request.is_preview = True  # as Wagtail's preview sets it
    assert "Draft only" in draft.get_context(request)["body"]["html"]
    assert cache.get(key) is None
