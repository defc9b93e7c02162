from datetime import datetime

from django.http import HttpRequest
from django.views.decorators.cache import never_cache
from ninja import Router, Schema
from ninja.errors import HttpError

from collab.core.bounds import Id
from collab.health.services import audit_read

from . import selectors
from .fhir import consultation_bundle
from .models import Appointment, ConsultationNote

router = Router(tags=["consultations"])
# Patient data: never kept by a browser or proxy.
router.add_decorator(never_cache, mode="view")
LIST_LIMIT = 200


class AppointmentOut(Schema):
    id: int
    health_id: str
    doctor: str
    scheduled_for: datetime
    status: str
    meeting: int | None


class AppointmentList(Schema):
    items: list[AppointmentOut]
    count: int


@router.get("/appointments", response=AppointmentList)
def list_appointments(request: HttpRequest, status: str = ""):
    """Your consultations (as treating doctor or referring worker), newest first."""
    if status and status not in Appointment.Status.values:
        raise HttpError(422, f"status: one of {', '.join(Appointment.Status.values)}")
    qs = selectors.appointments_for(user=request.user).order_by("-scheduled_for")
    if status:
        qs = qs.filter(status=status)
    rows = list(qs[:LIST_LIMIT])
    return {
        "items": [
            {"id": a.pk, "health_id": a.patient.health_id, "doctor": a.doctor.employee_id,
             "scheduled_for": a.scheduled_for, "status": a.status, "meeting": a.meeting_id}
            for a in rows
        ],
        "count": len(rows),
    }


@router.get("/appointments/{appointment_id}/fhir")
def fhir_bundle(request: HttpRequest, appointment_id: Id):
    """FHIR R4 collection Bundle (Patient, Appointment, Encounter); every call is audited."""
    appointment = (
        Appointment.objects.select_related("patient", "doctor").filter(pk=appointment_id).first()
    )
    if appointment is None or not selectors.can_view(user=request.user, appointment=appointment):
        raise HttpError(404, "No such appointment.")
    note = ConsultationNote.objects.filter(appointment=appointment).first()
    audit_read(user=request.user, obj=appointment.patient, action="export")
    if note is not None:
        audit_read(user=request.user, obj=note, action="export")
    return consultation_bundle(appointment, note)
