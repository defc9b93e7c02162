"""The incoming official letter end to end (registry number, minute, forwarding, reply,
filing), its files, the registry under concurrency, and the decision document."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from collab.core.clock import now
from collab.workflows import attachments, documents, services
from collab.workflows.models import Definition, Entry, RegistryNumber, Request, Step
from tests.pdf.test_renderer import embedded_fonts, extracted_text

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LETTER = {"sender": "Ministry of Health", "sender_reference": "MOH/123",
          "letter_date": "2026-12-01", "subject": "Measles vaccination campaign"}


def scan(name="letter.pdf", content=PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def register(world, **data):
    return services.start_request(
        person=world.nurse, definition=Definition.objects.get(key="incoming-letter"),
        data={**LETTER, **data}, files={"scan": scan()})


def open_step(request) -> Step:
    return request.steps.get(status=Step.Status.OPEN)


def test_the_letter_goes_from_registry_to_head_to_staff_and_back_to_the_archive(world):
    letter = register(world)
    year = timezone.localdate(now()).year
    assert str(letter.registry) == f"IN-{year}/0001"
    assert str(register(world).registry) == f"IN-{year}/0002"
    [file] = letter.attachments.all()
    assert (file.field, file.name, file.content_type, file.uploaded_by) == (
        "scan", "letter.pdf", "application/pdf", world.nurse)

    minute = open_step(letter)
    assert (minute.task_name, list(minute.assignees.all())) == ("minute", [world.head])
    with pytest.raises(ValidationError) as refused:
        services.decide(person=world.head, step=minute, decision="approved")
    assert set(refused.value.message_dict) == {"reason", "forward_to"}
    with pytest.raises(ValidationError) as refused:
        services.decide(person=world.head, step=minute, decision="approved",
                        reason="Prepare the plan", forward_to=world.od_approver)
    assert refused.value.message_dict == {"forward_to": [
        "Odapprover Test does not work in Health Centre or a unit below it."]}
    services.decide(person=world.head, step=minute, decision="approved",
                    reason="Prepare the vaccination plan", forward_to=world.deputy)

    draft = open_step(letter)
    assert (draft.task_name, list(draft.assignees.all())) == ("draft_reply", [world.deputy])
    attachments.add(person=world.deputy, request=letter, upload=scan("reply.pdf"))
    services.decide(person=world.deputy, step=draft, decision="approved")
    approve = open_step(letter)
    assert (approve.task_name, list(approve.assignees.all())) == ("approve_reply", [world.head])
    services.decide(person=world.head, step=approve, decision="approved")
    send = open_step(letter)
    assert (send.task_name, list(send.assignees.all())) == ("send_and_file", [world.nurse])
    services.decide(person=world.nurse, step=send, decision="approved")

    letter.refresh_from_db()
    assert letter.status == Request.Status.APPROVED
    minute_entry = letter.entries.get(step=minute)
    assert (minute_entry.reason, minute_entry.to) == ("Prepare the vaccination plan",
                                                      world.deputy)
    assert list(letter.entries.values_list("kind", flat=True)) == [
        "submitted", "approved", "approved", "approved", "approved", "completed"]
    with pytest.raises(ValidationError):  # filed: closed to new files
        attachments.add(person=world.nurse, request=letter, upload=scan())


def test_files_are_checked_and_read_only_by_the_people_taking_part(client, world, settings):
    letter = register(world)
    with pytest.raises(ValidationError) as refused:
        attachments.add(person=world.nurse, request=letter,
                        upload=scan("virus.pdf", b"MZ\x90\x00 not a pdf"))
    assert refused.value.message_dict["file"] == [
        "Only images (PNG, JPEG, GIF, WebP), PDF and office documents can be shared."]
    settings.SAHAKAR_MAX_UPLOAD_BYTES = 20
    with pytest.raises(ValidationError) as refused:
        attachments.add(person=world.nurse, request=letter, upload=scan())
    assert refused.value.message_dict["file"] == [
        f"The file is {len(PDF)} bytes; the limit is 20 bytes."]
    with pytest.raises(PermissionDenied):
        attachments.add(person=world.od_approver, request=letter, upload=scan())
    assert letter.attachments.count() == 1

    [file] = letter.attachments.all()
    url = f"/workflows/attachments/{file.pk}/"
    client.force_login(world.head.user)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(world.od_approver.user)
    assert client.get(url).status_code == 404

    # the page: a wrong file is refused with its reason, nothing is stored
    settings.SAHAKAR_MAX_UPLOAD_BYTES = 10_000
    client.force_login(world.nurse.user)
    page = client.post(f"/workflows/requests/{letter.pk}/", {
        "action": "attach", "file": scan("notes.txt", b"plain text")})
    assert page.status_code == 422
    assert "Only images (PNG, JPEG, GIF, WebP), PDF" in page.content.decode()
    assert letter.attachments.count() == 1


def test_starting_with_a_wrong_file_stores_nothing(client, world):
    client.force_login(world.nurse.user)
    response = client.post("/workflows/new/incoming-letter/", {
        **LETTER, "scan": scan("letter.pdf", b"GIF89a-but-not-really")})
    assert response.status_code == 422
    assert "This image cannot be read." in response.content.decode()
    assert not Request.objects.exists() and not RegistryNumber.objects.exists()


@pytest.mark.production  # SQLite runs one writer at a time; the row lock is PostgreSQL's
@pytest.mark.django_db(transaction=True)
def test_registry_numbers_have_no_gaps_under_concurrency(world):
    definition = Definition.objects.get(key="incoming-letter")
    barrier, errors = threading.Barrier(8), []

    class GiveBack(Exception):
        pass

    def start(index: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                services.start_request(person=world.nurse, definition=definition,
                                       data=LETTER, files={"scan": scan()})
                if index == 3:  # this one is not stored: its number goes back
                    raise GiveBack
        except GiveBack:
            pass
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(RegistryNumber.objects.values_list("number", flat=True)) == list(range(1, 8))


def test_decision_document_pdf_and_its_public_page(client, world):
    from collab.workflows.models import Paperwork

    mission = Definition.objects.get(key="mission-order")
    request = services.start_request(person=world.deputy, definition=mission, data={
        "purpose": "Supervise the ស្រេង ពិសី health post", "destination": "05",
        "transport": "public", "trip_start": "2026-12-01", "trip_end": "2026-12-02"})
    client.force_login(world.deputy.user)
    url = f"/workflows/requests/{request.pk}/decision.pdf"
    assert client.get(url).status_code == 404  # not decided yet
    services.decide(person=world.head, step=request.steps.get(), decision="approved",
                    reason="ក្រសួងសុខាភិបាល agrees")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    document = request.document
    text = extracted_text(response.content)
    for expected in (str(request.registry), document.code, "លិខិតបញ្ជាបេសកកម្ម", "Mission order",
                     "សុខ ដារា", "Deputy Test", "កំពង់ស្ពឺ", "Kampong Speu", "ស្រេង ពិសី",
                     "ក្រសួងសុខាភិបាល agrees", "ព្រះរាជាណាចក្រកម្ពុជា"):
        assert expected in text, expected
    assert {"Noto-Sans-Khmer", "Noto-Sans"} <= set(embedded_fonts(response.content))
    assert documents.verification_url(document).endswith(f"/workflows/verify/{document.code}/")
    client.force_login(world.od_approver.user)
    assert client.get(url).status_code == 404

    client.logout()
    page = client.get(f"/workflows/verify/{document.code}/")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-state="valid"' in body
    assert str(request.registry) in body and "Kampong Speu" in body and "Deputy Test" in body
    assert "Supervise" not in body and "Public transport" not in body  # not public fields
    Paperwork.objects.filter(definition=mission).update(requester_public=False)
    assert "Deputy Test" not in client.get(f"/workflows/verify/{document.code}/").content.decode()
    assert client.get(f"/workflows/verify/?code={document.code.lower()}").url == (
        f"/workflows/verify/{document.code}/")
    assert client.get("/workflows/verify/WF-NOPE-NOPE-NOPE/").status_code == 404
    assert Entry.objects.filter(request=request, kind="completed").exists()


def test_the_minute_and_the_forwarding_through_the_api(client, world):
    letter = register(world)
    url = f"/api/v1/workflows/steps/{open_step(letter).pk}/decision"
    client.force_login(world.head.user)
    body = {"decision": "approved", "reason": "Prepare the plan", "forward_to": "E-nobody"}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["forward_to"]
    done = client.post(url, {**body, "forward_to": "E-deputy"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["counted"] is True
    assert list(open_step(letter).assignees.all()) == [world.deputy]


def test_when_the_forwarded_staff_member_leaves_the_unit_head_gets_the_draft(world):
    letter = register(world)
    services.decide(person=world.head, step=open_step(letter), decision="approved",
                    reason="Reply by Friday", forward_to=world.deputy)
    world.deputy.active = False
    world.deputy.save(update_fields=["active"])
    assert services.pass_on_steps_of_people_who_left() == 1
    draft = open_step(letter)
    assert (draft.task_name, list(draft.assignees.all())) == ("draft_reply", [world.head])
    assert letter.entries.filter(kind=Entry.Kind.REASSIGNED, to=world.head).exists()
