"""SOAP notes with amendment history, FHIR export, audit of every read, recording consent."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.patient import Patient as FhirPatient

from collab.consultations import selectors, services
from collab.consultations.fhir import consultation_bundle
from collab.consultations.models import Appointment, ConsultationNote, NoteRevision
from collab.core.errors import ServiceError
from collab.health.models import AuditEntry
from tests.health.fhir_refs import resolve_all

pytestmark = pytest.mark.django_db

SOAP = {"subjective": "Fever 3 days", "objective": "T 38.9", "assessment": "Malaria?",
        "plan": "RDT, review tomorrow"}


def _sign(appointment, **extra):
    return services.sign_note(
        appointment=appointment, by=appointment.doctor.user,
        **{**SOAP, "prescription": [{"medication": "Paracetamol", "dose": "500 mg",
                                     "frequency": "4x daily", "duration": "3 days"}], **extra},
    )


def test_amendments_need_a_reason_and_keep_every_signed_version(appointment):
    note = _sign(appointment)
    assert note.version == 1 and note.signed_by == appointment.doctor.user

    with pytest.raises(ValidationError) as missing_reason:
        _sign(appointment, assessment="Dengue")
    assert "reason" in missing_reason.value.message_dict
    note.refresh_from_db()
    assert note.assessment == "Malaria?" and note.version == 1

    _sign(appointment, assessment="Dengue", prescription=[], reason="RDT negative")
    note.refresh_from_db()
    assert (note.version, note.assessment, note.prescription.count()) == (2, "Dengue", 0)
    first, second = NoteRevision.objects.filter(note=note)
    assert first.content["assessment"] == "Malaria?"
    assert first.content["prescription"][0]["medication"] == "Paracetamol"
    assert (second.content["assessment"], second.reason) == ("Dengue", "RDT negative")


def test_only_the_treating_doctor_signs(appointment, other_doctor):
    with pytest.raises(ServiceError) as refused:
        services.sign_note(appointment=appointment, by=other_doctor.user, **SOAP)
    assert (refused.value.code, refused.value.status) == ("forbidden", 403)


def test_a_bad_prescription_line_is_named_and_the_form_keeps_the_input(appointment):
    client = Client()
    client.force_login(appointment.doctor.user)
    response = client.post(f"/consultations/{appointment.pk}/note/", {
        **SOAP, "rx-0-medication": "Amoxicillin", "rx-0-dose": "",
        "rx-1-medication": "ORS", "rx-1-dose": "1 sachet",
    })
    assert response.status_code == 422
    body = response.content.decode()
    assert "Prescription line 1: the dose is missing." in body
    assert 'value="Amoxicillin"' in body and "RDT, review tomorrow" in body
    assert not ConsultationNote.objects.exists()

    ok = client.post(f"/consultations/{appointment.pk}/note/", {
        **SOAP, "rx-0-medication": "Amoxicillin", "rx-0-dose": "250 mg",
    })
    assert ok.status_code == 302
    assert appointment.note.prescription.get().dose == "250 mg"


def test_fhir_export_validates_and_is_audited(appointment, doctor):
    _sign(appointment)
    client = Client()
    client.force_login(doctor.user)
    response = client.get(f"/consultations/{appointment.pk}/fhir/")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"

    bundle = Bundle.model_validate(response.json())
    assert resolve_all(response.json()) == {
        "Appointment.participant[0].actor": "Patient",
        "Encounter.subject": "Patient",
        "Encounter.appointment[0]": "Appointment",
    }
    kinds = {type(e.resource).__name__: e.resource for e in bundle.entry}
    patient = FhirPatient.model_validate(kinds["Patient"].model_dump())
    assert patient.identifier[0].value == "KH-0001" and patient.gender == "female"
    assert {n.use for n in patient.name} == {"official", "usual"}
    fhir_appointment = FhirAppointment.model_validate(kinds["Appointment"].model_dump())
    assert fhir_appointment.status == "booked"
    encounter = Encounter.model_validate(kinds["Encounter"].model_dump())
    assert encounter.class_fhir.code == "VR" and "Malaria?" in encounter.text.div

    exports = AuditEntry.objects.filter(user=doctor.user, action="export")
    assert {e.content_type.model for e in exports} == {"patient", "consultationnote"}


def _full_urls(bundle: dict) -> dict[str, str]:
    resolve_all(bundle)
    return {e["resource"]["resourceType"]: e["fullUrl"] for e in bundle["entry"]}


def test_a_record_has_the_same_full_url_in_every_export(appointment, doctor, patient):
    """UUID 5 of the record: a receiver that got the patient in a referral links the same
    patient in a consultation, and a second visit is a new Appointment of the same Patient."""
    from collab.directory.models import OrgUnit
    from collab.health.fhir import referral_bundle
    from collab.health.models import Referral

    centre = OrgUnit.objects.create(code="HC1", kind="health_centre", name_en="Centre",
                                    name_km="មណ្ឌលសុខភាព")
    referral = Referral.objects.create(
        patient=patient, from_unit=centre, to_unit=centre, specialty="paediatrics",
        reason="Fever", referred_by=doctor.user,
        created_at=appointment.scheduled_for, updated_at=appointment.scheduled_for,
    )
    second = services.book_appointment(
        booked_by=doctor.user, health_id="KH-0001", doctor=doctor,
        scheduled_for=appointment.scheduled_for + timedelta(days=7), reason="Follow-up",
    )
    first = _full_urls(consultation_bundle(appointment))
    assert _full_urls(consultation_bundle(appointment)) == first
    again = _full_urls(consultation_bundle(second))
    referred = _full_urls(referral_bundle(referral))
    assert first["Patient"] == again["Patient"] == referred["Patient"]
    assert first["Appointment"] != again["Appointment"]
    assert {uuid.UUID(url.removeprefix("urn:uuid:")).version
            for bundle in (first, again, referred) for url in bundle.values()} == {5}


def test_every_read_of_the_patient_or_the_note_writes_an_audit_entry(appointment, doctor):
    client = Client()
    client.force_login(doctor.user)
    client.get(f"/consultations/{appointment.pk}/")
    assert list(AuditEntry.objects.values_list("action", "content_type__model")) == [
        ("view", "patient")
    ]
    _sign(appointment)
    client.get(f"/consultations/{appointment.pk}/")
    assert AuditEntry.objects.filter(user=doctor.user).count() == 3
    note_type = ContentType.objects.get_for_model(ConsultationNote)
    read = AuditEntry.objects.get(content_type=note_type)
    assert read.patient == appointment.patient and read.object_id == str(appointment.note.pk)


def test_an_admin_reading_a_note_is_audited_too(appointment, admin_client, admin_user):
    note = _sign(appointment)
    assert admin_client.get(
        f"/admin/consultations/consultationnote/{note.pk}/change/"
    ).status_code == 200
    assert AuditEntry.objects.filter(user=admin_user, action="admin view").count() == 1


def test_other_doctors_see_nothing_and_leave_no_audit_trail(appointment, other_doctor):
    client = Client()
    client.force_login(other_doctor.user)
    assert client.get(f"/consultations/{appointment.pk}/").status_code == 404
    assert client.get(f"/consultations/{appointment.pk}/fhir/").status_code == 404
    assert b"KH-0001" not in client.get("/consultations/").content
    assert not AuditEntry.objects.exists()


def test_recording_needs_consent_of_both_patient_and_doctor(appointment, doctor, other_doctor):
    _link, token = services.issue_link(appointment=appointment, by=doctor.user)
    guest = services.open_link(token=token, device_secret=None).guest

    services.give_consent(appointment=appointment, user=guest)
    assert not selectors.recording_allowed(appointment=appointment)
    services.give_consent(appointment=appointment, user=doctor.user)
    assert selectors.recording_allowed(appointment=appointment)
    services.withdraw_consent(appointment=appointment, user=guest)
    assert not selectors.recording_allowed(appointment=appointment)
    with pytest.raises(ServiceError) as refused:
        services.give_consent(appointment=appointment, user=other_doctor.user)
    assert refused.value.code == "forbidden"


def test_booking_form_names_the_bad_field_and_stores_nothing(doctor, patient):
    client = Client()
    client.force_login(doctor.user)
    response = client.post("/consultations/", {
        "health_id": "KH-9999", "scheduled_for": "2026-12-01T09:00", "reason": "Cough",
    })
    assert response.status_code == 422
    assert b"No patient has this Health ID." in response.content
    assert b"Cough</textarea>" in response.content
    assert not Appointment.objects.exists()

    ok = client.post("/consultations/", {
        "health_id": "KH-0001", "scheduled_for": "2026-12-01T09:00", "reason": "Cough",
    })
    appointment = Appointment.objects.get()
    assert ok.url == f"/consultations/{appointment.pk}/"
    assert appointment.meeting.kind == "consultation" and appointment.meeting.lobby
    assert appointment.meeting.host == doctor.user
