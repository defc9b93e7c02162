"""In Chromium: a reader switches to Khmer and reads a guideline; an editor submits a page in
the Wagtail admin and the reviewer and approver (by position) approve it there. Real Daphne:
it serves the hashed static names that Wagtail's admin has cached from earlier requests."""

import re

import pytest
from django.contrib.auth.models import Permission
from wagtail.models import GroupPagePermission

from knowledge.models import ArticlePage
from tests.knowledge.test_translations import KM_TITLE, translate_to_khmer
from tests.support.browser import csp_violations, login_with_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_switches_to_khmer_and_reads_a_guideline(daphne_server, page, kb):
    translate_to_khmer(kb.article)
    login_with_session(page.context, daphne_server.url, kb.users["reader"])
    page.goto(daphne_server.url + kb.article.url)
    assert page.locator("h1").inner_text() == "Severe dehydration"
    with page.expect_navigation():
        page.locator(".kb-language-switch button").click()
    assert page.locator("html").get_attribute("lang") == "km"
    assert page.locator("h1").inner_text() == KM_TITLE
    assert page.url == daphne_server.url + kb.article.url  # same address, other language
    # The table of contents works: following an entry lands on its heading.
    page.locator(".kb-toc a").first.click()
    assert re.search(r"#.+$", page.url)
    assert csp_violations(page) == []


def _editor(kb):
    from django.contrib.auth.models import Group

    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=kb.space,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    kb.users["owner"].groups.add(group)
    access = Permission.objects.get(codename="access_admin")
    for name in ("reviewer", "approver"):
        kb.users[name].user_permissions.add(access)


def _open_more_actions(page) -> None:
    toggle = page.locator("footer [data-w-dropdown-target='toggle']").first
    toggle.click()


def test_editor_submits_and_positions_approve_in_the_admin(daphne_server, browser, kb):
    _editor(kb)
    edit_url = f"{daphne_server.url}/cms/pages/{kb.article.pk}/edit/"

    editor = browser.new_context(locale="en-US").new_page()
    login_with_session(editor.context, daphne_server.url, kb.users["owner"])
    editor.goto(edit_url)
    editor.locator("#id_title").fill("Severe dehydration in children")
    _open_more_actions(editor)
    with editor.expect_navigation():
        editor.get_by_role("button", name="Submit to Knowledge review").click()
    page = ArticlePage.objects.get(pk=kb.article.pk)
    assert page.current_workflow_task.name == "Technical review"

    for who, step in (("reviewer", "Technical review"), ("approver", "Approval")):
        assert ArticlePage.objects.get(pk=page.pk).current_workflow_task.name == step
        tab = browser.new_context(locale="en-US").new_page()
        login_with_session(tab.context, daphne_server.url, kb.users[who])
        tab.goto(edit_url)
        _open_more_actions(tab)
        with tab.expect_navigation():
            tab.locator("footer button[data-workflow-action-name='approve']").first.click()

    page = ArticlePage.objects.get(pk=page.pk)
    assert page.current_workflow_state is None
    assert page.live and page.title == "Severe dehydration in children"
