"""Consultation writes: appointments, one-time patient links, signed SOAP notes, consent."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collab.core.clock import now
from collab.core.errors import ServiceError
from collab.directory.models import Person
from collab.health.models import Patient
from realtime.calls import services as calls
from realtime.calls.models import Meeting
from realtime.services import publish

from . import notify, selectors
from .models import (
    Appointment,
    ConsultationNote,
    NoteRevision,
    PatientLink,
    PrescriptionLine,
    Recording,
    RecordingConsent,
)

LINK_VALID_AFTER_APPOINTMENT = timedelta(hours=24)
SOAP_FIELDS = ("subjective", "objective", "assessment", "plan")
PRESCRIPTION_FIELDS = ("medication", "dose", "frequency", "duration", "instructions")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _forbidden(message: str) -> ServiceError:
    return ServiceError("forbidden", message, status=403)


# Why a patient link cannot be used (``reason``), the answer's status and what the patient reads.
LINK_REFUSALS = {
    "unknown": (404, gettext_lazy(
        "This consultation link is not valid. Check that you copied all of it.")),
    "revoked": (410, gettext_lazy("This consultation link was cancelled by the health centre.")),
    "expired": (410, gettext_lazy(
        "This consultation link has expired: links work until 24 hours after the appointment.")),
    "other_device": (403, gettext_lazy(
        "This consultation link was already opened on another phone or computer. "
        "It works on one device only.")),
    "closed": (410, gettext_lazy("This consultation is over or was cancelled.")),
}


def _link_refused(reason: str) -> ServiceError:
    status, message = LINK_REFUSALS[reason]
    return ServiceError("link_refused", message, status=status, reason=reason)


def book_appointment(
    *, booked_by, health_id: str, doctor: Person, scheduled_for: datetime, reason: str,
    referring_worker: Person | None = None,
) -> Appointment:
    errors = {}
    patient = Patient.objects.filter(health_id=health_id.strip().upper()).first()
    if patient is None:
        errors["health_id"] = _("No patient has this Health ID.")
    if doctor.user_id is None or not doctor.active:
        errors["doctor"] = _("This doctor has no active login and cannot hold a video call.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the consultation.")
    if errors:
        raise ValidationError(errors)
    if not (booked_by.is_superuser or booked_by.pk == doctor.user_id or (
        referring_worker is not None and referring_worker.user_id == booked_by.pk
    )):
        raise _forbidden(_("Only the doctor, the referring worker or an admin may book."))
    with transaction.atomic():
        meeting = calls.create_meeting(
            host=doctor.user, title=_("Consultation"), kind=Meeting.Kind.CONSULTATION,
            lobby=True, scheduled_for=scheduled_for,
            invitees=[referring_worker.user] if referring_worker and referring_worker.user else (),
        )
        appointment = Appointment.objects.create(
            patient=patient, doctor=doctor, referring_worker=referring_worker,
            scheduled_for=scheduled_for, reason=reason.strip(), meeting=meeting,
        )
        notify.booked(appointment)
        return appointment


def issue_link(*, appointment: Appointment, by) -> tuple[PatientLink, str]:
    """A new one-time link (earlier unused ones are revoked). Returns (link, token): the token
    is not stored and cannot be shown again."""
    if not selectors.can_manage(user=by, appointment=appointment):
        raise _forbidden(_("Only the treating doctor or an admin may issue patient links."))
    if appointment.status in (Appointment.Status.FINISHED, Appointment.Status.CANCELLED):
        raise ServiceError("closed", _("This appointment is closed."), status=409)
    token = secrets.token_urlsafe(24)
    at = now()
    with transaction.atomic():
        appointment.links.filter(revoked_at__isnull=True, used_at__isnull=True).update(
            revoked_at=at
        )
        link = PatientLink.objects.create(
            appointment=appointment, token_hash=_hash(token),
            expires_at=appointment.scheduled_for + LINK_VALID_AFTER_APPOINTMENT,
        )
    return link, token


def revoke_link(*, link: PatientLink, by) -> None:
    if not selectors.can_manage(user=by, appointment=link.appointment):
        raise _forbidden(_("Only the treating doctor or an admin may revoke patient links."))
    PatientLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=now())


@dataclass
class Visit:
    link: PatientLink
    guest: object
    device_secret: str


def open_link(*, token: str, device_secret: str | None) -> Visit:
    """The patient opens their link: the first device to do so is bound to it; the
    appointment moves to "waiting" and the doctor is told on the durable stream."""
    with transaction.atomic():
        link = (
            PatientLink.objects.select_for_update()
            .select_related("appointment__patient", "appointment__doctor")
            .filter(token_hash=_hash(token or ""))
            .first()
        )
        if link is None:
            raise _link_refused("unknown")
        appointment = link.appointment
        if link.revoked_at is not None:
            raise _link_refused("revoked")
        if now() >= link.expires_at:
            raise _link_refused("expired")
        if appointment.status in (
            Appointment.Status.FINISHED, Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW
        ):
            raise _link_refused("closed")
        if link.used_at is None:
            device_secret = secrets.token_urlsafe(24)
            link.guest = _guest_for(link)
            link.used_at, link.device_hash = now(), _hash(device_secret)
            link.save(update_fields=["guest", "used_at", "device_hash"])
        elif not device_secret or not secrets.compare_digest(
            _hash(device_secret), link.device_hash
        ):
            raise _link_refused("other_device")
        if appointment.status == Appointment.Status.BOOKED:
            appointment.status = Appointment.Status.WAITING
            appointment.save(update_fields=["status"])
            notify.patient_waiting(appointment)
        publish(
            type="consultation.waiting",
            user_id=appointment.doctor.user_id,
            payload={
                "appointment": appointment.pk,
                "meeting": appointment.meeting_id,
                "guest": link.guest_id,
                "patient": appointment.patient.name_km or appointment.patient.name_latin,
            },
        )
    return Visit(link=link, guest=link.guest, device_secret=device_secret)


def _guest_for(link: PatientLink):
    user = get_user_model().objects.create_user(
        username=f"patient-{link.appointment_id}-{secrets.token_hex(4)}",
        first_name=link.appointment.patient.given_name_latin[:150],
        last_name=link.appointment.patient.family_name_latin[:150],
    )
    return user


def admit_patient(*, appointment: Appointment, by) -> None:
    """Let the waiting patient into the call (same rule as call.admit: the host decides)."""
    if appointment.doctor.user_id != by.pk:
        raise _forbidden(_("Only the treating doctor admits the patient."))
    link = appointment.links.filter(guest__isnull=False).order_by("-used_at").first()
    if link is None:
        raise ServiceError(
            "not_waiting", _("The patient has not opened their link yet."), status=409
        )
    try:
        with transaction.atomic():
            calls.decide(
                meeting_id=appointment.meeting_id, host=by, user_id=link.guest_id, admit=True
            )
    except ServiceError as exc:
        if exc.code == "forbidden":
            raise
        raise ServiceError(
            "not_waiting", _("The patient is not in the waiting room."), status=409
        ) from exc
    appointment.status = Appointment.Status.IN_PROGRESS


def set_status(*, appointment: Appointment, by, status: str) -> None:
    if not selectors.can_manage(user=by, appointment=appointment):
        raise _forbidden(_("Only the treating doctor or an admin may change the status."))
    if status not in Appointment.Status.values:
        raise ServiceError("invalid", _("Unknown status."), status=422, field="status")
    with transaction.atomic():
        appointment.status = status
        appointment.save(update_fields=["status"])
        closed = status in (
            Appointment.Status.FINISHED, Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW
        )
        if closed and appointment.meeting_id:
            Meeting.objects.filter(pk=appointment.meeting_id, ended__isnull=True).update(
                ended=now()
            )


def _clean_prescription(lines: list[dict]) -> list[dict]:
    cleaned, errors = [], []
    for number, line in enumerate(lines, start=1):
        row = {f: str(line.get(f, "") or "").strip() for f in PRESCRIPTION_FIELDS}
        if not any(row.values()):
            continue
        for required in ("medication", "dose"):
            if not row[required]:
                errors.append(
                    _("Prescription line %(n)s: the %(field)s is missing.")
                    % {"n": number, "field": PrescriptionLine._meta.get_field(required)
                       .verbose_name}
                )
        cleaned.append(row)
    if errors:
        raise ValidationError({"prescription": errors})
    return cleaned


def sign_note(
    *, appointment: Appointment, by, subjective: str, objective: str, assessment: str,
    plan: str, prescription: list[dict] = (), reason: str = "",
) -> ConsultationNote:
    """Sign the SOAP note. Signing again is an amendment: it needs a reason, and every signed
    version stays in NoteRevision."""
    if appointment.doctor.user_id != by.pk:
        raise _forbidden(_("Only the treating doctor signs the note."))
    soap = {"subjective": subjective, "objective": objective, "assessment": assessment,
            "plan": plan}
    soap = {k: (v or "").strip() for k, v in soap.items()}
    if not soap["assessment"]:
        raise ValidationError({"assessment": _("The assessment is required to sign.")})
    lines = _clean_prescription(list(prescription))
    with transaction.atomic():
        note, _created = ConsultationNote.objects.select_for_update().get_or_create(
            appointment=appointment
        )
        if note.version and not reason.strip():
            raise ValidationError(
                {"reason": _("This note is already signed: say why you amend it.")}
            )
        at = now()
        for field, value in soap.items():
            setattr(note, field, value)
        note.signed_by, note.signed_at, note.version = by, at, note.version + 1
        note.save()
        note.prescription.all().delete()
        PrescriptionLine.objects.bulk_create([PrescriptionLine(note=note, **r) for r in lines])
        NoteRevision.objects.create(
            note=note, version=note.version, content={**soap, "prescription": lines},
            reason=reason.strip(), signed_by=by, signed_at=at,
        )
    return note


def give_consent(*, appointment: Appointment, user) -> RecordingConsent:
    role = selectors.consent_role(user=user, appointment=appointment)
    if role is None:
        raise _forbidden(_("Only the patient and the treating doctor give consent."))
    with transaction.atomic():
        consent, _created = RecordingConsent.objects.update_or_create(
            appointment=appointment, role=role,
            defaults={"user": user, "given_at": now(), "withdrawn_at": None},
        )
        _publish_consents(appointment)
    return consent


def withdraw_consent(*, appointment: Appointment, user) -> None:
    role = selectors.consent_role(user=user, appointment=appointment)
    if role is None:
        raise _forbidden(_("Only the patient and the treating doctor give consent."))
    with transaction.atomic():
        RecordingConsent.objects.filter(
            appointment=appointment, role=role, withdrawn_at__isnull=True
        ).update(withdrawn_at=now())
        _publish_consents(appointment)


def _publish_consents(appointment: Appointment) -> None:
    """The doctor's record panel follows consent live (given or withdrawn)."""
    given = selectors.consented_roles(appointment=appointment)
    publish(
        type="consultation.consent",
        user_id=appointment.doctor.user_id,
        payload={
            "appointment": appointment.pk,
            "consents": {role: role in given for role in RecordingConsent.Role.values},
            "recording_allowed": given == set(RecordingConsent.Role.values),
        },
    )


def on_participant_admitted(*, meeting, user_id: int, **_kwargs) -> None:
    """Admitting the patient (from the page or over /ws/ call.admit) starts the consultation."""
    Appointment.objects.filter(
        meeting=meeting, links__guest_id=user_id,
        status__in=[Appointment.Status.BOOKED, Appointment.Status.WAITING],
    ).update(status=Appointment.Status.IN_PROGRESS)


def begin_recording(*, appointment_id: int, user) -> Recording:
    """Refused unless the treating doctor asks and both patient and doctor consented."""
    appointment = Appointment.objects.select_related("doctor").filter(pk=appointment_id).first()
    if appointment is None or appointment.doctor.user_id != user.pk:
        raise _forbidden(_("Only the treating doctor records a consultation."))
    if not selectors.recording_allowed(appointment=appointment):
        raise ServiceError(
            "no_consent", _("Recording needs the consent of both the patient and the doctor."),
            status=409,
        )
    return Recording.objects.create(appointment=appointment, started_by=user, started_at=now())


def recording_to_stop(*, key: str, user) -> Recording:
    """The running recording ``key`` if ``user`` started it; the same refusal otherwise,
    whether the key is unknown, finished or somebody else's."""
    recording = Recording.objects.filter(
        key=key, started_by_id=user.pk, ended_at__isnull=True
    ).first()
    if recording is None:
        raise _forbidden(_("Only who started a recording stops it."))
    return recording


def finish_recording(*, recording: Recording, size: int, file_name: str) -> Recording:
    """Called once the recorder closed the file of a recording ``recording_to_stop`` gave."""
    recording.ended_at, recording.size = now(), size
    recording.file.name = file_name if size else ""
    recording.save(update_fields=["ended_at", "size", "file"])
    return recording


def delete_expired_recordings(*, older_than: timedelta) -> int:
    """Retention: recordings (files and rows) older than the period are deleted."""
    count = 0
    for recording in Recording.objects.filter(started_at__lt=now() - older_than):
        if recording.file:
            recording.file.delete(save=False)
        recording.delete()
        count += 1
    return count


def send_due_reminders() -> int:
    """Remind doctor and referring worker shortly before each booked consultation (once)."""
    at = now()
    due = Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        scheduled_for__gt=at,
        scheduled_for__lte=at + notify.REMINDER_BEFORE,
    ).select_related("doctor", "referring_worker")
    count = 0
    for appointment in due:
        with transaction.atomic():
            notify.reminder(appointment)
        count += 1
    return count
