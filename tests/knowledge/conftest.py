"""Knowledge-base fixtures: a small directory, the page tree, a space and an article."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.test import Client
from wagtail.search.index import insert_or_update_object

from collab.core import clock
from collab.directory.models import OrgUnit, Person, Position
from knowledge.models import ArticlePage, KnowledgeIndexPage, KnowledgeSpacePage
from knowledge.services import APPROVER_TAG, REVIEWER_TAG, ensure_tree
from tests.directory import factories as f

BODY = [
    {"type": "rich_text", "value": "<h2>Assess</h2><p>Look for sunken eyes.</p>"},
    {"type": "callout", "value": {"kind": "warning", "title": "Danger", "text": "<p>Refer.</p>"}},
    {"type": "rich_text", "value": "<h2>Treat</h2><p>Give ORS.</p><h3>Follow up</h3><p>Day 2.</p>"},
]


@dataclass
class KB:
    index: KnowledgeIndexPage
    space: KnowledgeSpacePage
    article: ArticlePage
    hospital: OrgUnit
    ward: OrgUnit
    owner: Position
    reviewer: Position
    approver: Position
    users: dict


def make_user(username: str, person: Person | None = None, **kw):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username, **kw)
    if person is not None:
        person.user = user
        person.save(update_fields=["user"])
    return user


def add_article(parent, title: str, **kw) -> ArticlePage:
    kw.setdefault("body", BODY)
    page = parent.add_child(instance=ArticlePage(title=title, live=False, **kw))
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def add_space(index, title: str, **kw) -> KnowledgeSpacePage:
    members = kw.pop("member_units", [])
    groups = kw.pop("member_groups", [])
    space = KnowledgeSpacePage(title=title, live=False, **kw)
    index.add_child(instance=space)
    space.member_units.set(members)
    space.member_groups.set(groups)
    space.save()
    space.save_revision().publish()
    space.refresh_from_db()
    return space


@pytest.fixture
def kb(db) -> KB:
    index = ensure_tree()
    moh = f.unit("MOH", kind=OrgUnit.Kind.MINISTRY)
    hospital = f.unit("PRH-X", moh, kind=OrgUnit.Kind.REFERRAL_HOSPITAL)
    ward = f.unit("PRH-X-PAED", hospital)
    other = f.unit("HC-Y", moh, kind=OrgUnit.Kind.HEALTH_CENTRE)
    people = {
        n: f.person(given_en=n.title(), family_en="Test")
        for n in ("owner", "reviewer", "approver", "deputy", "reader", "outsider", "subscriber")
    }
    owner = f.position(ward, "", people["owner"], title_en="Head of paediatrics")
    reviewer = f.position(hospital, REVIEWER_TAG, people["reviewer"], title_en="Clinical lead")
    approver = f.position(hospital, APPROVER_TAG, people["approver"], title_en="Director")
    f.position(ward, "", people["reader"], title_en="Nurse")
    f.position(other, "", people["outsider"], title_en="Nurse")
    f.position(ward, "", people["subscriber"], title_en="Midwife")
    # The deputy holds a plain post and acts for the approver only when told (tests set dates).
    f.position(hospital, "", people["deputy"], title_en="Deputy director")
    users = {n: make_user(n, p) for n, p in people.items()}
    space = add_space(index, "Paediatrics", slug="paediatrics", unit=hospital)
    article = add_article(
        space,
        "Severe dehydration",
        slug="severe-dehydration",
        owner_position=owner,
        review_date=clock.now().date() + timedelta(days=90),
        last_reviewed=clock.now().date() - timedelta(days=275),
    )
    return KB(index, space, article, hospital, ward, owner, reviewer, approver, users)


SECRET = "Night duty roster rules"


@pytest.fixture
def editors(kb):
    group = Group.objects.create(name="Knowledge editors")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(content_type__app_label="knowledge", codename="edit_spaces"),
    )
    # "reader" works in the ward (a member of the private space), "outsider" in a health centre.
    for name in ("reader", "outsider"):
        kb.users[name].groups.add(group)
    return group


@pytest.fixture
def private(kb, editors):
    space = add_space(
        kb.index, "Hospital management", slug="management", private=True, member_units=[kb.ward]
    )
    article = add_article(space, SECRET, slug="roster", summary="confidential roster")
    # Wagtail indexes pages for its admin search in a background task: do it now.
    insert_or_update_object(article)
    return space, article


def as_user(kb, name) -> Client:
    client = Client()
    client.force_login(kb.users[name])
    return client


def refused(response) -> bool:
    # Wagtail's admin answers "permission denied" with a redirect to its home page.
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/cms/"
    )


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    cache.clear()  # Wagtail caches renditions: earlier tests' files lived in another folder
