"""Two-step review: positions by role tag approve (holder, or acting holder); others cannot."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from collab.core import clock
from collab.notifications.models import Recipient
from knowledge.services import act_on_task


def waiting_for(user) -> list[str]:
    return list(
        Recipient.objects.filter(
            user=user, notification__event_type="knowledge.approval_waiting"
        ).values_list("notification__message_en", flat=True)
    )


def submit(kb, editor):
    page = kb.article
    page.title = "Severe dehydration (2026)"
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    page.refresh_from_db()
    return page


def test_holders_review_then_approve_and_the_page_is_published(kb):
    page = submit(kb, kb.users["owner"])
    assert page.current_workflow_task.name == "Technical review"
    assert waiting_for(kb.users["reviewer"]) == [
        "“Severe dehydration (2026)” waits for you: Technical review"
    ]
    assert waiting_for(kb.users["approver"]) == []

    with pytest.raises(PermissionDenied):  # the approver cannot skip the technical review
        act_on_task(page=page, user=kb.users["approver"], action="approve")
    act_on_task(page=page, user=kb.users["reviewer"], action="approve")
    page.refresh_from_db()
    assert page.current_workflow_task.name == "Approval"
    assert len(waiting_for(kb.users["approver"])) == 1

    act_on_task(page=page, user=kb.users["approver"], action="approve")
    page.refresh_from_db()
    assert page.current_workflow_state is None
    assert page.live and page.title == "Severe dehydration (2026)"


def test_acting_holder_approves_while_the_holder_is_away(kb):
    now = clock.now()
    kb.approver.acting_holder = kb.users["deputy"].person
    kb.approver.acting_from = now - timedelta(days=1)
    kb.approver.acting_until = now + timedelta(days=6)
    kb.approver.save()
    page = submit(kb, kb.users["owner"])
    act_on_task(page=page, user=kb.users["reviewer"], action="approve")
    assert len(waiting_for(kb.users["deputy"])) == 1
    assert waiting_for(kb.users["approver"]) == []
    with pytest.raises(PermissionDenied):  # while someone acts, the absent holder does not
        act_on_task(page=page, user=kb.users["approver"], action="approve")
    act_on_task(page=page, user=kb.users["deputy"], action="approve")
    page.refresh_from_db()
    assert page.live and page.current_workflow_state is None


@pytest.mark.parametrize("who", ["reader", "outsider", "owner", "deputy"])
def test_others_are_refused(kb, who):
    page = submit(kb, kb.users["owner"])
    with pytest.raises(PermissionDenied):
        act_on_task(page=page, user=kb.users[who], action="approve")
    page.refresh_from_db()
    assert page.current_workflow_task.name == "Technical review"


def test_through_the_wagtail_admin(client, kb):
    access = Permission.objects.get(codename="access_admin")
    for name in ("reviewer", "outsider"):
        kb.users[name].user_permissions.add(access)
    page = submit(kb, kb.users["owner"])
    state = page.current_workflow_task_state
    url = f"/cms/pages/workflow/action/{page.pk}/approve/{state.pk}/"

    client.force_login(kb.users["outsider"])
    refused = client.post(url)  # Wagtail's admin answers "permission denied" with a redirect home
    assert (refused.status_code, refused.get("Location")) in ((403, None), (302, "/cms/"))
    page.refresh_from_db()
    assert page.current_workflow_task.name == "Technical review"

    client.force_login(kb.users["reviewer"])
    assert client.get(f"/cms/pages/{page.pk}/edit/").status_code == 200  # reviewers may open it
    response = client.post(url)
    assert response.status_code in (200, 302), response.content[:300]
    page.refresh_from_db()
    assert page.current_workflow_task.name == "Approval"


def test_admin_forms_of_every_knowledge_page_type_open(client, kb):
    admin = kb.users["outsider"]
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client.force_login(admin)
    for url in (
        f"/cms/pages/add/knowledge/articlepage/{kb.space.pk}/",
        f"/cms/pages/add/knowledge/knowledgespacepage/{kb.index.pk}/",
        f"/cms/pages/{kb.article.pk}/edit/",
        f"/cms/pages/{kb.space.pk}/edit/",
        "/cms/workflows/tasks/index/",
        "/admin/knowledge/feedback/",
        "/admin/knowledge/reviewreminder/",
        "/admin/knowledge/spacesubscription/",
    ):
        assert client.get(url).status_code == 200, url
