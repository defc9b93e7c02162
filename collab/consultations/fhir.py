"""FHIR R4 export of a consultation: Patient, Appointment, Encounter in a collection Bundle
whose references name the entries' ``urn:uuid:`` full URLs (collab.health.fhir).

fhir.resources 8 ships R5 at its root and R4B beside it; R4B keeps R4's shape for these three
resources, so its models validate what we export (the same choice as collab.health.fhir)."""

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.encounter import Encounter

from collab.health.fhir import collection, patient_resource, reference

from .models import Appointment

EMPLOYEE_SYSTEM = "urn:sahakar:employee-id"
APPOINTMENT_STATUS = {
    "booked": "booked", "waiting": "arrived", "in_progress": "fulfilled",
    "finished": "fulfilled", "cancelled": "cancelled", "no_show": "noshow",
}
ENCOUNTER_STATUS = {
    "booked": "planned", "waiting": "arrived", "in_progress": "in-progress",
    "finished": "finished", "cancelled": "cancelled", "no_show": "cancelled",
}


def _doctor_reference(appointment: Appointment) -> dict:
    return {"identifier": {"system": EMPLOYEE_SYSTEM, "value": appointment.doctor.employee_id},
            "display": appointment.doctor.name_en}


def appointment_resource(appointment: Appointment) -> FhirAppointment:
    return FhirAppointment(
        id=f"appointment-{appointment.pk}",
        status=APPOINTMENT_STATUS[appointment.status],
        start=appointment.scheduled_for.isoformat(),
        reasonCode=[{"text": appointment.reason}],
        serviceType=[{"text": "Video consultation"}],
        participant=[
            {"actor": reference("Patient", f"patient-{appointment.patient_id}"),
             "status": "accepted"},
            {"actor": _doctor_reference(appointment), "status": "accepted"},
        ],
    )


def encounter_resource(appointment: Appointment, note=None) -> Encounter:
    return Encounter(
        id=f"encounter-{appointment.pk}",
        status=ENCOUNTER_STATUS[appointment.status],
        # ActCode VR: "virtual" — a consultation held by video.
        class_fhir={"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": "VR", "display": "virtual"},
        subject=reference("Patient", f"patient-{appointment.patient_id}"),
        participant=[{"individual": _doctor_reference(appointment)}],
        appointment=[reference("Appointment", f"appointment-{appointment.pk}")],
        reasonCode=[{"text": appointment.reason}],
        period={"start": appointment.scheduled_for.isoformat()},
        diagnosis=None,
        extension=None,
        text=(
            {"status": "generated",
             "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{_escape(note.assessment)}</div>'}
            if note is not None and note.assessment else None
        ),
    )


def _escape(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


def consultation_bundle(appointment: Appointment, note=None) -> dict:
    return collection([
        patient_resource(appointment.patient),
        appointment_resource(appointment),
        encounter_resource(appointment, note),
    ])
