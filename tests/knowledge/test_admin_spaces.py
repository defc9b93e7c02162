"""The Wagtail admin follows private-space membership: an editor sees, searches, edits and
adds pages only in the spaces they may read; files and workflow tasks of a private space
stay closed to non-members too. Every route is the real Wagtail admin."""

from datetime import timedelta

from django.contrib.auth.models import Permission
from wagtail.models import GroupPagePermission

from collab.core import clock
from knowledge.models import ArticlePage, SpaceEditorGroup
from knowledge.permissions import sync_space_permissions
from tests.knowledge.conftest import SECRET, as_user, refused


def test_a_non_member_editor_cannot_open_list_search_or_add_in_a_private_space(kb, private):
    space, article = private
    outsider = as_user(kb, "outsider")

    assert refused(outsider.get(f"/cms/pages/{article.pk}/edit/"))
    assert refused(outsider.get(f"/cms/pages/{space.pk}/edit/"))
    listing = outsider.get(f"/cms/pages/{space.pk}/")
    assert refused(listing) and SECRET not in listing.content.decode()
    # The explorer opens at the common ancestor of what they may edit (the public space).
    index = outsider.get(f"/cms/pages/{kb.index.pk}/", follow=True)
    assert index.status_code == 200 and "Paediatrics" in index.content.decode()
    assert "Hospital management" not in index.content.decode()
    found = outsider.get("/cms/pages/search/", {"q": "roster"})
    assert found.status_code == 200 and SECRET not in found.content.decode()
    assert refused(outsider.get(f"/cms/pages/add/knowledge/articlepage/{space.pk}/"))
    before = ArticlePage.objects.count()
    posted = outsider.post(
        f"/cms/pages/add/knowledge/articlepage/{space.pk}/",
        {"title": "Planted", "slug": "planted", "body-count": "0"},
    )
    assert refused(posted) and ArticlePage.objects.count() == before
    # The reader view agrees.
    assert outsider.get(article.url).status_code == 403


def test_a_member_editor_works_in_the_private_space_and_both_edit_public_spaces(kb, private):
    space, article = private
    member = as_user(kb, "reader")
    assert SECRET in member.get(f"/cms/pages/{article.pk}/edit/").content.decode()
    assert SECRET in member.get(f"/cms/pages/{space.pk}/").content.decode()
    assert SECRET in member.get("/cms/pages/search/", {"q": "roster"}).content.decode()
    assert member.get(f"/cms/pages/add/knowledge/articlepage/{space.pk}/").status_code == 200
    for name in ("reader", "outsider"):
        client = as_user(kb, name)
        assert client.get(f"/cms/pages/{kb.article.pk}/edit/").status_code == 200
        assert client.get(f"/cms/pages/add/knowledge/articlepage/{kb.space.pk}/").status_code == 200


def test_no_editor_edits_the_index_and_the_grants_are_per_space(kb, private):
    space, _article = private
    grants = GroupPagePermission.objects.filter(page__path__startswith=kb.index.path)
    assert not grants.filter(page=kb.index).exists()
    kept = SpaceEditorGroup.objects.get(space=space).group
    assert set(grants.filter(page=space).values_list("group", flat=True)) == {kept.pk}
    assert refused(as_user(kb, "reader").get(f"/cms/pages/{kb.index.pk}/edit/"))


def test_membership_changes_show_on_the_next_admin_request(kb, private):
    space, article = private
    outsider = as_user(kb, "outsider")
    assert refused(outsider.get(f"/cms/pages/{article.pk}/edit/"))

    # The outsider acts in a ward post for a week: a member from that moment, no save needed
    # when the week ends.
    now = clock.now()
    post = kb.owner
    post.acting_holder = kb.users["outsider"].person
    post.acting_from = now - timedelta(days=1)
    post.acting_until = now + timedelta(days=6)
    post.save()
    assert outsider.get(f"/cms/pages/{article.pk}/edit/").status_code == 200

    post.acting_until = now - timedelta(hours=1)
    post.save()
    assert refused(outsider.get(f"/cms/pages/{article.pk}/edit/"))

    # Made public, the space opens to every editor; private again, it closes.
    space.private = False
    space.save()
    assert outsider.get(f"/cms/pages/{article.pk}/edit/").status_code == 200
    space.private = True
    space.save()
    assert refused(outsider.get(f"/cms/pages/{article.pk}/edit/"))


def test_losing_the_editor_permission_closes_every_space(kb, private, editors):
    edit = Permission.objects.get(content_type__app_label="knowledge", codename="edit_spaces")
    editors.permissions.remove(edit)
    member = as_user(kb, "reader")
    assert refused(member.get(f"/cms/pages/{kb.article.pk}/edit/"))
    assert refused(member.get(f"/cms/pages/{private[1].pk}/edit/"))


def test_a_grant_left_on_the_index_is_moved_to_the_spaces(kb, private, editors):
    change = Permission.objects.get(content_type__app_label="wagtailcore", codename="change_page")
    GroupPagePermission.objects.create(group=editors, page=kb.index, permission=change)
    sync_space_permissions()
    assert not GroupPagePermission.objects.filter(group=editors, page=kb.index).exists()
    assert refused(as_user(kb, "outsider").get(f"/cms/pages/{private[1].pk}/edit/"))
