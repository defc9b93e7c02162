"""The objects and clients of the authorization matrix (tests/security/test_authorization.py).

Sample objects come from ``seed_demo`` plus ``tests.ui.inventory.extra_records``, and a few
made here: a private chat room of the doctor's with the nurse (and an attachment), nobody
else in it. The sample of the private knowledge space is the demo's "Hospital management"."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

ROLES = ("admin", "doctor", "nurse", "manager", "trainee", "outsider", "anonymous", "patient")
MISSING = 2**40  # an id no object has: the route must still refuse in the same way


def _first(model_path: str, **filters):
    from django.apps import apps

    return apps.get_model(model_path).objects.filter(**filters).order_by("pk").first()


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def make_world() -> dict:
    """Demo data plus the samples; returns route parameter name -> value."""
    from django.contrib.auth import get_user_model

    from collab.consultations.models import Recording
    from collab.core.clock import now
    from collab.health import services as health
    from realtime.chat import services as chat
    from tests.ui import inventory

    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    inventory.extra_records()
    users = get_user_model().objects
    users.create_user("outsider", password="x")
    doctor, nurse = users.get(username="doctor"), users.get(username="nurse")
    room = chat.create_room(creator=doctor, kind="private", name="Ward 3 handover",
                            members=[nurse])
    message, _ = chat.send_message(
        author=doctor, room_id=room.pk, body="Bed 4 needs a review",
        upload=SimpleUploadedFile("bed4.png", png(), "image/png"),
    )
    patient = _first("health.Patient")
    lab_result, _ = health.record_lab_result(
        submitted_by=users.get(username="admin"), health_id=patient.health_id,
        ordering_doctor=_first("directory.Person", user=doctor).employee_id,
        test_code="HB", test_name="Haemoglobin", value="7.1",
    )
    appointment = _first("consultations.Appointment")
    recording = Recording.objects.create(appointment=appointment, started_by=doctor,
                                         started_at=now(), size=3)
    recording.file.save(f"recordings/{recording.key}.mp4", ContentFile(b"abc"))
    space = _first("knowledge.KnowledgeSpacePage", slug="hospital-management")
    article = _first("knowledge.ArticlePage", slug="night-duty-roster")
    leave = _first("workflows.Request", requester__user__username="nurse")
    return {
        **_samples_for_writes(users, appointment),
        "key_workflow": "leave-request",
        "pk_workflow": leave.pk,
        "request_id": leave.pk,
        "step_id": _first("workflows.Step", request=leave).pk,
        "attachment_id_workflow": _first("workflows.Attachment", request=leave).pk,
        "code_workflow": _first("workflows.DecisionDocument").code,
        "code": _first("directory.OrgUnit", parent__isnull=False).code,
        "employee_id": _first("directory.Person", user__username="nurse").employee_id,
        "pk_referral": _first("health.Referral").pk,
        "health_id": patient.health_id,
        "pk_lab_result": lab_result.pk,
        "pk_appointment": appointment.pk,
        "appointment_id": appointment.pk,
        "key": recording.key,
        "code_certificate": "MOH-0000-0000",
        "referral_id": _first("health.Referral").pk,
        "pk_meeting": _first("calls.Meeting", kind="meeting").pk,
        "room_id": room.pk,
        "message_id": message.pk,
        "attachment_id": message.attachments.get().pk,
        "username": "nurse",  # a member of the private room, not its owner
        "notification_id": _first("notifications.Recipient", user=nurse).notification_id,
        "lesson_id": _first("training.LessonPage").pk,
        "course_id": _first("training.CoursePage").pk,
        "quiz_id": _first("training.QuizPage").pk,
        "unit_id": _first("directory.OrgUnit", parent__isnull=True).pk,
        "page_id": article.pk,
        "space_id": space.pk,
        "article_url": article.url,
        "space_url": space.url,
    }


def _samples_for_writes(users, appointment) -> dict:
    """Objects that only some may change: the nurse's token, signed-in device and passkey,
    a patient link of the consultation, the trainee's open quiz attempt and expired
    certificate, the step of the nurse's leave request (the manager's to decide)."""
    from collab.accounts import services as accounts
    from collab.accounts.models import Passkey, PersonalToken, SessionRecord
    from collab.consultations import services as consultations
    from collab.core.clock import now
    from collab.directory.models import Person
    from collab.workflows.selectors import delegates
    from training.models import Certificate
    from training.selectors import course_of
    from training.services import enrolment, quiz

    nurse, doctor = users.get(username="nurse"), users.get(username="doctor")
    accounts.create_token(user=nurse, name="Ward laptop")
    device = SessionRecord.objects.create(session_key="matrix-nurse-phone", user=nurse,
                                          created_at=now(), last_seen=now())
    passkey = Passkey.objects.create(user=nurse, name="Phone", credential_id=b"matrix",
                                     public_key=b"not used", created_at=now())
    link, _token = consultations.issue_link(appointment=appointment, by=doctor)
    trainee = Person.objects.get(user__username="trainee")
    first_quiz = _first("training.QuizPage")
    enrolment.enrol(person=trainee, course=course_of(first_quiz))
    attempt = quiz.start_attempt(person=trainee, quiz=first_quiz)
    completed = enrolment.enrol(person=trainee, course=_first("training.CoursePage"))
    completed.completed_at = now() - timedelta(days=400)
    completed.save(update_fields=["completed_at"])
    Certificate.objects.create(  # expired: the trainee may start a renewal
        code="MOH-2025-0042", person=trainee, course=completed.course, name_en="Trainee",
        course_title=completed.course.title, issued_at=completed.completed_at,
        expires_at=now() - timedelta(days=35),
    )
    leave = _first("workflows.Request", requester__user=nurse)
    step = _first("workflows.Step", request=leave)
    step.assignees.set([Person.objects.get(user__username="manager")])  # the manager decides
    return {
        "token_id": PersonalToken.objects.get(user=nurse).pk,
        "record_id": device.pk,
        "passkey_id": passkey.pk,
        "doctor_id": Person.objects.get(user=doctor).employee_id,
        "delegate_id": delegates(step=step)[0].employee_id,
        "enrolment_id": completed.pk,
        "link_pk": link.pk,
        "attempt_id": attempt.pk,
        "position": 1,
        "answer": _valid_answer(attempt.answers.get(position=1).question),
    }


def _valid_answer(question) -> dict:
    """A response of the right shape for the question's kind (right or wrong alike)."""
    choices = list(question.choices.order_by("pk").values_list("pk", flat=True))
    return {
        "single": {"choice": choices[0] if choices else None},
        "multiple": {"choices": choices[:1]},
        "true_false": {"value": True},
        "short": {"text": "Wash hands"},
        "numeric": {"value": 5},
        "ordering": {"order": choices},
    }[question.kind]


def client_for(role: str) -> Client:
    """A new client signed in as ``role`` (a POST may end its session: one per request)."""
    from django.contrib.auth import get_user_model

    from collab.accounts import mfa
    from collab.consultations import services
    from collab.consultations.models import Appointment

    client = Client()
    if role == "patient":
        doctor = get_user_model().objects.get(username="doctor")
        token = services.issue_link(appointment=Appointment.objects.order_by("pk").first(),
                                    by=doctor)[1]
        client.get(f"/consultations/join/{token}/")
    elif role != "anonymous":
        client.force_login(get_user_model().objects.get(username=role))
        # As after a second factor: the account's own step-up routes then do their work.
        session = client.session
        session[mfa.SECOND_FACTOR] = "totp"
        session.save()
    return client


def outcome(response) -> str:
    """What a cell saw: ok, login, visit (the patient's page), or the status: 302, 403 …"""
    status = response.status_code
    if status in (301, 302):
        where = response["Location"]
        if "/accounts/login/" in where:
            return "login"
        if where.rstrip("/").endswith("/consultations/visit"):
            return "visit"
    if status == 200:
        return "ok"
    return str(status)


def fill(template: str, world: dict, *, api: bool) -> str:
    """A route or OpenAPI path with its parameters replaced by the samples."""
    def value(match):
        name = match.group(1)
        return str(world.get(f"{name}_{_owner(template)}", world.get(name, MISSING)))

    pattern = r"\{(\w+)\}" if api else r"<(?:\w+:)?(\w+)>"
    return "/" + re.sub(pattern, value, template).lstrip("/")


def _owner(template: str) -> str:
    for word, owner in (("referral", "referral"), ("lab-result", "lab_result"),
                        ("consultations", "appointment"), ("meetings", "meeting"),
                        ("certificates", "certificate"), ("workflows", "workflow")):
        if word in template:
            return owner
    return ""
