from django.db.models import Q, QuerySet

from .models import Appointment, PatientLink, RecordingConsent


def can_manage(*, user, appointment: Appointment) -> bool:
    """The treating doctor (or an admin) runs the consultation."""
    return bool(user.is_superuser or appointment.doctor.user_id == user.pk)


def can_view(*, user, appointment: Appointment) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if can_manage(user=user, appointment=appointment):
        return True
    worker = appointment.referring_worker
    return worker is not None and worker.user_id == user.pk


def appointments_for(*, user) -> QuerySet[Appointment]:
    qs = Appointment.objects.select_related("patient", "doctor", "referring_worker")
    if user.is_superuser:
        return qs
    return qs.filter(Q(doctor__user=user) | Q(referring_worker__user=user))


def guest_appointment(*, user) -> Appointment | None:
    """The appointment a patient's guest login was created for (None for staff)."""
    link = (
        PatientLink.objects.filter(guest_id=user.pk, revoked_at__isnull=True)
        .select_related("appointment__patient", "appointment__doctor")
        .first()
    )
    return link.appointment if link else None


def consent_role(*, user, appointment: Appointment) -> str | None:
    if appointment.doctor.user_id == user.pk:
        return RecordingConsent.Role.DOCTOR
    if appointment.links.filter(guest_id=user.pk).exists():
        return RecordingConsent.Role.PATIENT
    return None


def consented_roles(*, appointment: Appointment) -> set[str]:
    """Who consented to recording and has not withdrawn: ``patient``, ``doctor``."""
    return set(
        appointment.consents.filter(withdrawn_at__isnull=True).values_list("role", flat=True)
    )


def recording_allowed(*, appointment: Appointment) -> bool:
    """Both the patient and the doctor consented and neither withdrew."""
    return consented_roles(appointment=appointment) == set(RecordingConsent.Role.values)
