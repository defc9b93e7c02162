"""Documents, images and the dashboard of the Wagtail admin follow private-space membership:
a space's files live in its collection, which only the editors who are members of the space
may list, search, open, edit, choose or download. Every route is the real Wagtail admin."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission, PageLogEntry
from wagtail.search.index import insert_or_update_object

from collab.core import clock
from knowledge.media_collections import file_media_into_spaces, space_collections
from knowledge.permissions import sync_space_permissions
from tests.knowledge.conftest import SECRET, add_article, as_user, refused
from tests.knowledge.test_private_media import a_document

pytestmark = pytest.mark.usefixtures("media_in_tmp")

DOC = "Board budget"
IMAGE = "Ward plan"


def collection_of(space) -> Collection:
    return space_collections([space])[space.pk]


@pytest.fixture
def files(kb, private):
    """A document and an image uploaded by a member through the admin, into the space."""
    space, _article = private
    member = as_user(kb, "reader")
    target = collection_of(space).pk
    text = SimpleUploadedFile("budget.txt", b"secret figures", content_type="text/plain")
    response = member.post(
        "/cms/documents/add/", {"title": DOC, "file": text, "collection": target}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    buf = io.BytesIO()
    PILImage.new("RGB", (20, 10), "blue").save(buf, "PNG")
    png = buf.getvalue()
    response = member.post(
        "/cms/images/add/",
        {"title": IMAGE, "file": SimpleUploadedFile("plan.png", png), "collection": target},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    doc = get_document_model().objects.get(title=DOC)
    image = get_image_model().objects.get(title=IMAGE)
    assert doc.collection_id == image.collection_id == target
    for obj in (doc, image):
        insert_or_update_object(obj)  # Wagtail indexes in a background task: now
    return doc, image


def admin_routes(doc, image) -> dict[str, tuple[str, dict]]:
    return {
        "documents": ("/cms/documents/", {}),
        "document search": ("/cms/documents/results/", {"q": "budget"}),
        "document chooser": ("/cms/documents/chooser/", {}),
        "document chooser search": ("/cms/documents/chooser/results/", {"q": "budget"}),
        "images": ("/cms/images/", {}),
        "image search": ("/cms/images/results/", {"q": "ward"}),
        "image chooser": ("/cms/images/chooser/", {}),
        "image chooser search": ("/cms/images/chooser/results/", {"q": "ward"}),
    }


def object_routes(doc, image) -> list[str]:
    return [
        f"/cms/documents/edit/{doc.pk}/",
        f"/cms/documents/usage/{doc.pk}/",
        f"/cms/documents/chooser/chosen/{doc.pk}/",
        f"/cms/images/{image.pk}/",
        f"/cms/images/{image.pk}/preview/original/",
        f"/cms/images/chooser/chosen/{image.pk}/",
    ]


def shows(client, doc, image) -> dict[str, bool]:
    seen = {}
    for name, (url, params) in admin_routes(doc, image).items():
        response = client.get(url, params)
        text = response.content.decode() if response.status_code == 200 else ""
        seen[name] = DOC in text or IMAGE in text
    return seen


def test_a_member_lists_searches_opens_chooses_and_downloads_the_space_files(kb, files):
    doc, image = files
    member = as_user(kb, "reader")
    assert all(shows(member, doc, image).values()), shows(member, doc, image)
    for url in object_routes(doc, image):
        assert member.get(url).status_code == 200, url
    response = member.get(doc.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"secret figures"


def test_a_non_member_editor_finds_nothing_and_is_refused_everywhere(kb, files):
    doc, image = files
    outsider = as_user(kb, "outsider")
    assert not any(shows(outsider, doc, image).values()), shows(outsider, doc, image)
    for url in object_routes(doc, image):
        response = outsider.get(url)
        assert refused(response) or response.status_code == 404, url
    assert outsider.get(doc.url).status_code == 403
    # Editing through a forged form is refused too, and nothing changes.
    edited = outsider.post(f"/cms/documents/edit/{doc.pk}/", {"title": "Renamed"})
    assert refused(edited)
    doc.refresh_from_db()
    assert doc.title == DOC


def test_a_non_member_cannot_upload_into_the_private_space(kb, private):
    space, _article = private
    outsider = as_user(kb, "outsider")
    # The only collection they may add to is the public space's: the form offers no choice.
    assert collection_of(space).name not in outsider.get("/cms/documents/add/").content.decode()
    text = SimpleUploadedFile("planted.txt", b"x", content_type="text/plain")
    outsider.post(
        "/cms/documents/add/",
        {"title": "Planted", "file": text, "collection": collection_of(space).pk},
    )
    assert not get_document_model().objects.filter(collection=collection_of(space)).exists()
    assert get_document_model().objects.get(title="Planted").collection == collection_of(kb.space)


def test_membership_added_opens_the_files_and_removed_closes_them(kb, files):
    doc, image = files
    outsider = as_user(kb, "outsider")
    now = clock.now()
    post = kb.owner  # a ward post: acting in it makes the outsider a member
    post.acting_holder = kb.users["outsider"].person
    post.acting_from = now - timedelta(days=1)
    post.acting_until = now + timedelta(days=6)
    post.save()
    assert all(shows(outsider, doc, image).values())
    assert outsider.get(f"/cms/documents/edit/{doc.pk}/").status_code == 200
    assert outsider.get(doc.url).status_code == 200

    post.acting_until = now - timedelta(hours=1)
    post.save()
    assert not any(shows(outsider, doc, image).values())
    assert refused(outsider.get(f"/cms/documents/edit/{doc.pk}/"))
    assert outsider.get(doc.url).status_code == 403


def test_the_dashboard_and_task_lists_show_a_non_member_nothing_of_the_private_space(
    kb, private, django_capture_on_commit_callbacks
):
    space, article = private
    space.unit = kb.hospital  # its reviewer works in the hospital, above the member ward
    space.save()
    outsider_user = kb.users["outsider"]
    # What a former member leaves behind: an edit in the log, a lock, a page submitted.
    PageLogEntry.objects.log_action(article, "wagtail.edit", user=outsider_user)
    article.locked, article.locked_by, article.locked_at = True, outsider_user, clock.now()
    article.save(update_fields=["locked", "locked_by", "locked_at"])
    article.get_workflow().start(article, outsider_user)
    PageLogEntry.objects.log_action(kb.article, "wagtail.edit", user=outsider_user)

    dashboard = as_user(kb, "outsider").get("/cms/").content.decode()
    assert "Severe dehydration" in dashboard  # their public edit is still listed
    assert SECRET not in dashboard
    PageLogEntry.objects.log_action(article, "wagtail.edit", user=kb.users["reader"])
    assert SECRET in as_user(kb, "reader").get("/cms/").content.decode()

    # The reviewer by position is no member: no task on the dashboard nor in the reports.
    kb.users["reviewer"].user_permissions.add(Permission.objects.get(codename="access_admin"))
    reviewer = as_user(kb, "reviewer")
    for url in ("/cms/", "/cms/reports/workflow_tasks/", "/cms/reports/workflow/"):
        assert SECRET not in reviewer.get(url).content.decode(), url
    with django_capture_on_commit_callbacks(execute=True):  # the rules' mark moves on commit
        space.member_units.add(kb.hospital)
        space.save()
    assert SECRET in reviewer.get("/cms/").content.decode()


def test_a_grant_left_on_the_root_collection_is_moved_to_the_spaces(kb, files, editors):
    doc, image = files
    choose = Permission.objects.get(codename="choose_document")
    root = Collection.get_first_root_node()
    GroupCollectionPermission.objects.create(group=editors, collection=root, permission=choose)
    sync_space_permissions()
    assert not GroupCollectionPermission.objects.filter(group=editors, collection=root).exists()
    assert not shows(as_user(kb, "outsider"), doc, image)["document chooser"]


def test_files_from_before_move_into_their_one_space(kb, private):
    space, _article = private
    only_here, shared, unused = a_document(), a_document("Shared"), a_document("Unused")
    add_article(
        space,
        "Budget",
        slug="budget",
        body=[
            {"type": "download", "value": {"document": only_here.pk, "title": ""}},
            {"type": "download", "value": {"document": shared.pk, "title": ""}},
        ],
    )
    add_article(
        kb.space,
        "Shared budget",
        slug="shared",
        body=[{"type": "download", "value": {"document": shared.pk, "title": ""}}],
    )
    assert file_media_into_spaces() == 1
    root = Collection.get_first_root_node()
    for obj in (only_here, shared, unused):
        obj.refresh_from_db()
    assert only_here.collection == collection_of(space)
    assert shared.collection == unused.collection == root
    assert file_media_into_spaces() == 0
    assert as_user(kb, "outsider").get(only_here.url).status_code == 403
