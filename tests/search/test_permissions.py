"""Nothing a searcher cannot open ever appears: each angle is filtered in the index and
verified again at result time (tests also make the index stale on purpose)."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone
from wagtail.models import PageViewRestriction

from collab.search.selectors import search
from knowledge.models import ArticlePage, KnowledgeSpacePage
from knowledge.services import ensure_tree
from realtime.chat.models import Membership, Message, Room
from training.models import CoursePage, Enrolment, LessonPage, ModulePage
from training.services.tree import ensure_training_index

WORD = "ផ្សព្វផ្សាយ"  # "dissemination": appears in every secret below


def _kinds(user, query=WORD, **kwargs):
    return sorted(hit.type for hit in search(user=user, query=query, **kwargs).items)


def _titles(user, query=WORD, **kwargs):
    return sorted(hit.title for hit in search(user=user, query=query, **kwargs).items)


def _article(parent, title, body_text):
    page = parent.add_child(
        instance=ArticlePage(
            title=title,
            live=False,
            summary=body_text,
            body=[{"type": "rich_text", "value": f"<p>{body_text}</p>"}],
        )
    )
    page.save_revision().publish()
    return ArticlePage.objects.get(pk=page.pk)


def _space(index, title, **kw):
    groups = kw.pop("member_groups", [])
    space = index.add_child(instance=KnowledgeSpacePage(title=title, live=False, **kw))
    space.member_groups.set(groups)
    space.save()
    space.save_revision().publish()
    return KnowledgeSpacePage.objects.get(pk=space.pk)


@pytest.fixture
def kb(db):
    index = ensure_tree()
    nurses = Group.objects.create(name="Nurses")
    public = _space(index, "Public space")
    private = _space(index, "Private space", private=True, member_groups=[nurses])
    _article(public, "Open guideline", f"ការ{WORD}គោលការណ៍ណែនាំ")
    _article(private, "Secret guideline", f"ការ{WORD}សម្ងាត់")
    return {"index": index, "public": public, "private": private, "nurses": nurses}


def test_private_space_articles_only_for_members(kb, make_user, indexed):
    indexed()
    outsider, member = make_user(), make_user()
    member.groups.add(kb["nurses"])
    assert _titles(outsider, type="page") == ["Open guideline"]
    assert _titles(member, type="page") == ["Open guideline", "Secret guideline"]
    api_facets = dict((k, c) for k, _l, c in search(user=outsider, query=WORD).facets)
    assert api_facets["page"] == 1  # counts do not reveal the secret either


def test_space_made_private_later_is_hidden_even_before_reindexing(kb, make_user, indexed):
    indexed()
    outsider = make_user()
    KnowledgeSpacePage.objects.filter(pk=kb["public"].pk).update(private=True)  # no signal
    assert _titles(outsider, type="page") == []
    kb["public"].refresh_from_db()
    kb["public"].save()  # the signal: the space's articles are re-indexed with new tokens
    indexed()
    assert _titles(outsider, type="page") == []


def test_restricted_page_by_group_and_by_password(kb, make_user, indexed):
    article = ArticlePage.objects.get(title="Open guideline")
    doctors = Group.objects.create(name="Doctors")
    by_group = PageViewRestriction.objects.create(page=article, restriction_type="groups")
    by_group.groups.add(doctors)
    indexed()
    reader, doctor = make_user(), make_user()
    doctor.groups.add(doctors)
    assert _titles(reader, type="page") == []
    assert _titles(doctor, type="page") == ["Open guideline"]
    by_group.delete()
    PageViewRestriction.objects.create(page=kb["public"], restriction_type="password", password="x")
    indexed()
    assert _titles(doctor, type="page") == []  # a password page is never in search results


def test_unpublished_article_disappears(kb, make_user, indexed):
    indexed()
    ArticlePage.objects.get(title="Open guideline").unpublish()
    indexed()
    assert _titles(make_user(), type="page") == []


@pytest.fixture
def rooms(db, make_user):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    private = Room.objects.create(kind=Room.Kind.PRIVATE, name="Managers")
    public = Room.objects.create(kind=Room.Kind.PUBLIC, name="Everyone")
    Membership.objects.create(room=private, user=alice)
    Membership.objects.create(room=public, user=alice)
    Membership.objects.create(room=public, user=bob)
    Message.objects.create(room=private, author=alice, client_id="1", body=f"{WORD} budget")
    Message.objects.create(room=public, author=alice, client_id="2", body=f"{WORD} poster")
    return {"alice": alice, "bob": bob, "carol": carol, "private": private, "public": public}


def test_messages_only_from_rooms_the_searcher_belongs_to(rooms, indexed):
    indexed()
    assert len(search(user=rooms["alice"], query=WORD, type="message").items) == 2
    bob_hits = search(user=rooms["bob"], query=WORD, type="message").items
    assert [h.snippet for h in bob_hits] == [h.snippet for h in bob_hits if "poster" in h.snippet]
    assert len(bob_hits) == 1
    assert _kinds(rooms["carol"]) == []  # not in any room, not even the public one


def test_leaving_a_room_hides_its_messages_at_once(rooms, indexed):
    indexed()
    Membership.objects.filter(room=rooms["private"], user=rooms["alice"]).delete()
    assert len(search(user=rooms["alice"], query="budget").items) == 0


def test_deleted_message_is_not_found(rooms, indexed):
    indexed()
    message = Message.objects.get(client_id="1")
    message.deleted = timezone.now()
    message.save()
    indexed()
    assert search(user=rooms["alice"], query="budget").items == []


def _course(title, *, open_enrolment):
    index = ensure_training_index()
    course = index.add_child(
        instance=CoursePage(title=title, slug=title.lower(), open_enrolment=open_enrolment)
    )
    module = course.add_child(instance=ModulePage(title="Module", slug="m"))
    module.add_child(
        instance=LessonPage(
            title=f"{title} lesson",
            slug="l",
            body=[("text", f"<p>{WORD} អំពីការលាងដៃ</p>")],
        )
    )
    return course


def test_lessons_of_closed_courses_only_for_enrolled_people(db, make_user, make_person, indexed):
    _course("Open", open_enrolment=True)
    closed = _course("Closed", open_enrolment=False)
    indexed()
    reader, enrolled = make_user(), make_user()
    make_person(user=reader)
    person = make_person(user=enrolled)
    now = timezone.now()
    Enrolment.objects.create(
        person=person, course=closed, source="assigned", enrolled_at=now, cycle_started_at=now
    )
    assert _titles(reader, type="lesson") == ["Open lesson"]
    assert _titles(enrolled, type="lesson") == ["Closed lesson", "Open lesson"]
    assert _kinds(reader, query="closed") == ["course"]  # the course page, not its lesson


def test_deactivated_person_and_anonymous_user(make_person, make_user, indexed):
    make_person("Visible", "One")
    hidden = make_person("Hidden", "Two")
    indexed()
    hidden.active = False
    hidden.save()
    indexed()
    user = make_user()
    assert _titles(user, query="one two") == []
    assert _titles(user, query="two") == []
    assert search(user=AnonymousUser(), query="one").items == []
    inactive = make_user(is_active=False)
    assert search(user=inactive, query="one").items == []


def test_a_restricted_lesson_never_appears(db, make_user, make_person, indexed):
    """The lesson view's rule, view restrictions included: a lesson under a group or
    password restriction is not found by those who may not open it, even while the index
    still says otherwise (restricted after indexing, nothing re-indexed)."""
    course = _course("Ward", open_enrolment=True)
    lesson = LessonPage.objects.descendant_of(course).get()
    indexed()
    outsider, member = make_user(), make_user()
    make_person(user=outsider)
    make_person(user=member)
    nurses = Group.objects.create(name="Ward nurses")
    member.groups.add(nurses)
    assert _titles(outsider, type="lesson") == ["Ward lesson"]

    restriction = PageViewRestriction.objects.create(
        page=lesson.get_parent(), restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(nurses)
    # Stale index: the verification alone must hide it (title and snippet).
    hits = search(user=outsider, query=WORD).items
    assert [h for h in hits if h.type == "lesson"] == []
    assert _titles(member, type="lesson") == ["Ward lesson"]
    indexed()
    assert _titles(outsider, type="lesson") == []

    restriction.delete()
    PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.PASSWORD, password="ward-7"
    )
    assert _titles(member, type="lesson") == []  # the verification: no password given
    indexed()
    assert _titles(member, type="lesson") == []
    assert _titles(outsider, type="lesson") == []
    # The course page itself is verified by the same restrictions.
    assert "course" not in _kinds(member, query="ward")



def test_rooms_found_by_name_topic_and_description(rooms, indexed):
    rooms["public"].topic = "គ្រុនឈាម ការឃ្លាំមើល"  # dengue surveillance
    rooms["public"].save()
    Room.objects.create(kind=Room.Kind.UNIT, name="ការិយាល័យ", description="dengue outbreak desk")
    Room.objects.create(kind=Room.Kind.DM, name="", topic="dengue")  # conversations: not indexed
    indexed()
    carol = rooms["carol"]  # a member of no room
    assert _titles(carol, query="ការឃ្លាំមើល", type="room") == ["Everyone"]
    assert _titles(carol, query="desk", type="room") == ["ការិយាល័យ"]
    # The glossary bridges Khmer and English: the Khmer word finds the English description.
    assert _titles(carol, query="គ្រុនឈាម", type="room") == ["Everyone", "ការិយាល័យ"]
    hit = search(user=carol, query="ការឃ្លាំមើល", type="room").items[0]
    assert hit.url == f"/chat/rooms/{rooms['public'].pk}/"


def test_private_and_archived_rooms_only_for_their_members(rooms, indexed):
    for room in (rooms["private"], rooms["public"]):
        room.topic = WORD
        room.save()
    archived = Room.objects.create(kind=Room.Kind.PUBLIC, name="Old", topic=WORD, archived=True)
    Membership.objects.create(room=archived, user=rooms["bob"])
    indexed()
    assert _titles(rooms["alice"], type="room") == ["Everyone", "Managers"]
    assert _titles(rooms["bob"], type="room") == ["Everyone", "Old"]
    assert _titles(rooms["carol"], type="room") == ["Everyone"]
    # Archived since it was indexed (no signal, no reindex): checked again at result time.
    Room.objects.filter(pk=rooms["public"].pk).update(archived=True)
    assert _titles(rooms["carol"], type="room") == []
    assert _titles(rooms["bob"], type="room") == ["Everyone", "Old"]
