"""Private spaces: members read, others get 403 (anonymous: login) and never see the pages."""

import pytest
from django.contrib.auth.models import Group

from collab.directory.models import OrgUnit
from knowledge.selectors import recently_updated
from knowledge.visibility import visible_pages_for
from tests.knowledge.conftest import add_article, add_space


@pytest.fixture
def private(kb):
    space = add_space(
        kb.index,
        "Hospital management",
        slug="management",
        unit=kb.hospital,
        private=True,
        member_units=[kb.hospital],
    )
    article = add_article(space, "Night duty roster", slug="night-duty", owner_position=kb.owner)
    return space, article


def test_member_of_a_sub_unit_reads_private_page(client, kb, private):
    client.force_login(kb.users["reader"])  # nurse in the ward, below the member hospital
    response = client.get(private[1].url)
    assert response.status_code == 200
    assert "Night duty roster" in response.content.decode()


def test_non_member_gets_403_and_anonymous_is_sent_to_login(client, kb, private):
    space, article = private
    client.force_login(kb.users["outsider"])
    for page in (space, article):
        assert client.get(page.url).status_code == 403
    client.logout()
    response = client.get(article.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_no_listing_shows_the_private_page_to_non_members(client, kb, private):
    space, article = private
    outsider = kb.users["outsider"]
    assert not visible_pages_for(outsider).filter(pk__in=[space.pk, article.pk]).exists()
    assert visible_pages_for(outsider).filter(pk=kb.article.pk).exists()
    assert article.pk not in [p.pk for p in recently_updated(user=outsider)]
    client.force_login(outsider)
    html = client.get(kb.index.url).content.decode()
    assert "Hospital management" not in html and "Night duty roster" not in html
    assert "Severe dehydration" in html
    # The PDF and feedback endpoints refuse too.
    assert client.get(f"/kb/pages/{article.pk}/pdf/").status_code == 403
    assert client.post(f"/kb/pages/{article.pk}/feedback/", {"helpful": "yes"}).status_code == 403


def test_group_membership_opens_a_private_space(client, kb, private):
    space, article = private
    group = Group.objects.create(name="Hospital board")
    space.member_groups.add(group)
    space.save_revision().publish()
    outsider = kb.users["outsider"]
    outsider.groups.add(group)
    assert visible_pages_for(outsider).filter(pk=article.pk).exists()
    client.force_login(outsider)
    assert client.get(article.url).status_code == 200


def test_visibility_costs_a_fixed_number_of_queries(kb, private, django_assert_max_num_queries):
    for i in range(3):
        add_space(
            kb.index, f"Private {i}", slug=f"private-{i}", private=True, member_units=[kb.ward]
        )
    # private spaces + their units + groups, the reader's person, units and groups, Wagtail
    # view restrictions, the pages: the same however many spaces there are
    with django_assert_max_num_queries(8):
        list(visible_pages_for(kb.users["outsider"]))


def test_wagtail_view_restrictions_also_hide_pages_from_listings(client, kb):
    from wagtail.models import PageViewRestriction

    group = Group.objects.create(name="Doctors")
    restriction = PageViewRestriction.objects.create(
        page=kb.article, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(group)
    reader = kb.users["reader"]
    assert not visible_pages_for(reader).filter(pk=kb.article.pk).exists()
    reader.groups.add(group)
    assert visible_pages_for(reader).filter(pk=kb.article.pk).exists()
    client.force_login(reader)
    assert client.get(kb.article.url).status_code == 200


def test_the_shared_rules_are_read_once_then_cost_nothing(kb, private, django_assert_num_queries):
    space, secret = private
    outsider = kb.users["outsider"]
    list(visible_pages_for(outsider))  # the rules are cached now
    # the reader's units (person included) and groups, the pages; no rules (none restrict)
    with django_assert_num_queries(3):
        shown = {p.pk for p in visible_pages_for(outsider)}
    assert kb.article.pk in shown and not shown & {space.pk, secret.pk}


def test_rule_changes_show_at_once_though_the_rules_are_cached(kb, private):
    from wagtail.models import PageViewRestriction

    outsider, reader = kb.users["outsider"], kb.users["reader"]

    def sees(user, page) -> bool:
        return visible_pages_for(user).filter(pk=page.pk).exists()

    assert sees(outsider, kb.article) and not sees(outsider, private[1])
    # A space made private (a publish), members added, the member's unit moved away
    kb.space.private = True
    kb.space.member_units.set([kb.ward])
    kb.space.save_revision().publish()
    assert not sees(outsider, kb.article) and sees(reader, kb.article)
    kb.ward.parent = OrgUnit.objects.get(code="HC-Y")
    kb.ward.save()
    assert sees(reader, kb.article)  # the member unit moved with its members
    # A view restriction added, then removed
    kb.space.private = False
    kb.space.save_revision().publish()
    restriction = PageViewRestriction.objects.create(
        page=kb.article, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    assert not sees(reader, kb.article)
    restriction.delete()
    assert sees(reader, kb.article)
