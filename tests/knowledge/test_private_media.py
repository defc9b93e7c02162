"""Documents and images used by pages of a private space go only to its members."""

import io
import os
import re
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.http import Http404
from django.test import Client, RequestFactory
from django.views.static import serve as serve_media
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from knowledge.storage import move_legacy_files
from tests.knowledge.conftest import add_article, add_space
from tests.knowledge.test_pdf import need_poppler

pytestmark = pytest.mark.usefixtures("media_in_tmp")


def a_document(title="Board budget"):
    doc = get_document_model()(title=title)
    doc.file.save("budget.txt", ContentFile(b"secret figures"), save=True)
    return doc


def an_image(title="Ward plan"):
    buf = io.BytesIO()
    PILImage.new("RGB", (20, 10), "blue").save(buf, "PNG")
    image = get_image_model()(title=title)
    image.file.save("plan.png", ImageFile(buf, name="plan.png"), save=True)
    return image


def clients(kb):
    member, outsider = Client(), Client()
    member.force_login(kb.users["reader"])
    outsider.force_login(kb.users["outsider"])
    return member, outsider, Client()


@pytest.fixture
def board(kb):
    return add_space(kb.index, "Board", slug="board", private=True, member_units=[kb.ward])


def test_a_document_of_a_private_space_is_served_to_members_only(kb, board):
    doc = a_document()
    add_article(
        board,
        "Budget",
        slug="budget",
        body=[{"type": "download", "value": {"document": doc.pk, "title": ""}}],
    )
    member, outsider, anonymous = clients(kb)
    response = member.get(doc.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"secret figures"
    assert outsider.get(doc.url).status_code == 403
    assert anonymous.get(doc.url).status_code == 302


def test_a_document_also_used_by_a_public_page_is_served_to_all(kb, board):
    doc = a_document()
    body = [{"type": "download", "value": {"document": doc.pk, "title": ""}}]
    add_article(board, "Budget", slug="budget", body=body)
    add_article(kb.space, "Public budget", slug="public-budget", body=body)
    member, outsider, anonymous = clients(kb)
    assert outsider.get(doc.url).status_code == 200
    assert anonymous.get(doc.url).status_code == 200


def test_an_image_of_a_private_space_is_served_through_a_checked_address(kb, board):
    image = an_image()
    article = add_article(
        board,
        "Ward plan",
        slug="ward-plan",
        body=[{"type": "image", "value": {"image": image.pk, "caption": "Plan"}}],
    )
    member, outsider, anonymous = clients(kb)
    html = member.get(article.url).content.decode()
    address = f"/kb/images/{image.pk}/max-800x800/"
    assert f'src="{address}"' in html and "/media/" not in html
    response = member.get(address)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert outsider.get(address).status_code == 403
    assert anonymous.get(address).status_code == 302
    assert member.get(f"/kb/images/{image.pk}/original/").status_code == 404  # fixed specs only


def test_the_pdf_of_a_private_article_still_contains_its_image(kb, board, tmp_path):
    image = an_image()
    article = add_article(
        board,
        "Ward plan",
        slug="ward-plan",
        body=[{"type": "image", "value": {"image": image.pk, "caption": "Plan"}}],
    )
    member, _outsider, _anonymous = clients(kb)
    response = member.get(f"/kb/pages/{article.pk}/pdf/")
    assert response.status_code == 200
    need_poppler("pdfimages")
    path = tmp_path / "plan.pdf"
    path.write_bytes(response.content)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout
    assert len(listing.strip().splitlines()) == 3  # two heading lines, one image


def rich_text_with(image):
    embed = f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt="Ward &lt;plan&gt;"/>'
    return [{"type": "rich_text", "value": f"<p>The plan:</p>{embed}"}]


def test_an_image_inside_rich_text_of_a_private_space_goes_to_members_only(kb, board):
    image = an_image()
    article = add_article(board, "Ward plan", slug="ward-plan", body=rich_text_with(image))
    member, outsider, anonymous = clients(kb)
    html = member.get(article.url).content.decode()
    address = f"/kb/images/{image.pk}/width-800/"
    assert f'src="{address}"' in html and "/media/" not in html
    assert 'alt="Ward &lt;plan&gt;"' in html and 'class="richtext-image full-width"' in html
    response = member.get(address)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert outsider.get(address).status_code == 403
    assert anonymous.get(address).status_code == 302
    assert member.get(f"/kb/images/{image.pk}/width-801/").status_code == 404


def test_an_image_inside_rich_text_of_a_public_page_goes_to_everyone(kb):
    image = an_image()
    article = add_article(kb.space, "Ward plan", slug="ward-plan", body=rich_text_with(image))
    _member, outsider, anonymous = clients(kb)
    html = anonymous.get(article.url).content.decode()
    address = f"/kb/images/{image.pk}/width-800/"
    assert f'src="{address}"' in html and "/media/" not in html
    assert outsider.get(address).status_code == 200
    assert anonymous.get(address).status_code == 200


def _files_under(root) -> set[str]:
    return {
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    }


def test_documents_and_original_images_live_outside_media_under_unguessable_names(
    kb, board, settings
):
    doc, image = a_document(), an_image()
    add_article(
        board,
        "Budget",
        slug="budget",
        body=[
            {"type": "download", "value": {"document": doc.pk, "title": ""}},
            {"type": "image", "value": {"image": image.pk, "caption": "", "alt": "plan"}},
        ],
    )
    member, outsider, _anonymous = clients(kb)
    figure = member.get(f"/kb/images/{image.pk}/max-800x800/")
    assert figure.status_code == 200
    assert member.get(doc.url).status_code == 200

    private = _files_under(settings.PRIVATE_MEDIA_ROOT)
    public = _files_under(settings.MEDIA_ROOT)
    assert doc.file.name in private and image.file.name in private
    assert not any(p.startswith(("documents", "original_images")) for p in public)
    # Unguessable: a random folder (documents) or name (images), never the upload's name.
    assert re.fullmatch(r"documents/[\w-]{22}/budget\.txt", doc.file.name)
    assert re.fullmatch(r"original_images/[\w-]{22}\.png", image.file.name)
    assert all("plan" not in p for p in public)  # renditions are named after the original
    # No URL reaches them: Django's /media/ view (development) finds nothing.
    for name in (doc.file.name, image.file.name):
        with pytest.raises(Http404):
            serve_media(RequestFactory().get("/media/" + name), name, settings.MEDIA_ROOT)
    with pytest.raises(NotImplementedError):
        _ = image.file.url
    assert outsider.get(doc.url).status_code == 403


def test_files_stored_before_are_moved_out_of_media(kb, settings):
    old = settings.MEDIA_ROOT / "documents" / "minutes.txt"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"old minutes")
    doc = get_document_model().objects.create(title="Minutes", file="documents/minutes.txt")
    assert move_legacy_files() == 1
    doc.refresh_from_db()
    assert not old.exists()
    assert re.fullmatch(r"documents/[\w-]{22}/minutes\.txt", doc.file.name)
    assert doc.file.open("rb").read() == b"old minutes"
    assert move_legacy_files() == 0
