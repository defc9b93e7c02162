"""Writes of the health workflows. Each write emits its notification in its own
transaction (transactional outbox), with no patient data in the message."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from collab.core.clock import now
from collab.directory.models import OrgUnit, Person
from collab.directory.selectors import units_of_person
from collab.notifications.services import emit

from . import selectors
from .models import AuditEntry, LabResult, Patient, Referral, Urgency


def audit_read(*, user, obj, action: str = "view") -> AuditEntry:
    """Record that ``user`` read (or exported...) ``obj``, a patient or a patient's record."""
    patient = obj if isinstance(obj, Patient) else getattr(obj, "patient", None)
    return AuditEntry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action[:32],
        patient=patient if isinstance(patient, Patient) else None,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        at=now(),
    )


def _both(text) -> dict[str, str]:
    """A lazy message rendered in both languages (the recipient's is chosen at delivery)."""
    out = {}
    for language in ("en", "km"):
        with override(language):
            out[language] = str(text())
    return out


def create_referral(
    *, user, health_id: str, from_unit: OrgUnit, to_unit: OrgUnit, specialty: str,
    reason: str, urgency: str,
) -> Referral:
    patient = Patient.objects.filter(health_id=health_id.strip().upper()).first()
    if patient is None:
        raise ValidationError({"health_id": _("No patient has this Health ID.")})
    if from_unit.pk == to_unit.pk:
        raise ValidationError({"to_unit": _("Refer to another unit.")})
    if not selectors.is_member(user=user, unit=from_unit):
        raise PermissionDenied("You do not work in the referring unit.")
    at = now()
    with transaction.atomic():
        referral = Referral.objects.create(
            patient=patient, from_unit=from_unit, to_unit=to_unit,
            specialty=specialty.strip().lower(), reason=reason, urgency=urgency,
            referred_by=user, created_at=at, updated_at=at,
        )
        emit(
            event_type="referral.created",
            event_key=f"referral:{referral.pk}:created",
            org_unit=to_unit,
            message=_both(lambda: _("New %(urgency)s referral for %(specialty)s from %(unit)s")
                          % {"urgency": referral.get_urgency_display().lower(),
                             "specialty": referral.specialty, "unit": from_unit.name()}),
            url=f"/health/referrals/{referral.pk}/",
            urgency=urgency,
            specialty=referral.specialty,
        )
    return referral


TRANSITIONS = {
    "accept": (Referral.Status.PENDING, Referral.Status.ACCEPTED),
    "decline": (Referral.Status.PENDING, Referral.Status.DECLINED),
    "complete": (Referral.Status.ACCEPTED, Referral.Status.COMPLETED),
}
RESPONSE_MESSAGES = {
    "accept": lambda r: _("Your referral #%(id)s was accepted by %(unit)s"),
    "decline": lambda r: _("Your referral #%(id)s was declined by %(unit)s"),
    "complete": lambda r: _("Your referral #%(id)s was completed by %(unit)s"),
}


def respond_to_referral(*, referral: Referral, user, action: str, note: str = "") -> Referral:
    if action not in TRANSITIONS:
        raise ValidationError({"action": _("Unknown action.")})
    if not selectors.can_handle_referral(user=user, referral=referral):
        raise PermissionDenied("Only the receiving unit can respond to this referral.")
    with transaction.atomic():
        locked = Referral.objects.select_for_update().select_related("to_unit").get(
            pk=referral.pk
        )
        before, after = TRANSITIONS[action]
        if locked.status != before:
            raise ValidationError(
                {"action": _("This referral is %(status)s; it cannot be changed that way.")
                 % {"status": locked.get_status_display().lower()}}
            )
        if action == "decline" and not note.strip():
            raise ValidationError({"note": _("Say why the referral is declined.")})
        locked.status, locked.handled_by, locked.updated_at = after, user, now()
        if note.strip():
            locked.response_note = note.strip()
        locked.save(update_fields=["status", "handled_by", "updated_at", "response_note"])
        referrer = Person.objects.filter(user=locked.referred_by).first()
        emit(
            event_type=f"referral.{after}",
            event_key=f"referral:{locked.pk}:{after}",
            org_unit=locked.from_unit,
            people=[referrer] if referrer else [],
            message=_both(lambda: RESPONSE_MESSAGES[action](locked)
                          % {"id": locked.pk, "unit": locked.to_unit.name()}),
            url=f"/health/referrals/{locked.pk}/",
        )
    return locked


def record_lab_result(
    *, submitted_by, health_id: str, ordering_doctor: str, test_code: str, test_name: str,
    value: str, unit: str = "", reference_range: str = "", abnormal: bool = False,
    external_id: str = "", lab_unit: str = "", collected_at: datetime | None = None,
    reported_at: datetime | None = None,
) -> tuple[LabResult, bool]:
    """Store a lab result and tell the ordering doctor. Returns (result, created).

    ``ordering_doctor`` is the doctor's employee id; ``lab_unit`` an org unit code.
    Unknown references raise ValidationError naming every bad field; nothing is stored.
    """
    errors = {}
    patient = Patient.objects.filter(health_id=health_id.strip().upper()).first()
    if patient is None:
        errors["health_id"] = _("No patient has this Health ID.")
    doctor = Person.objects.filter(employee_id=ordering_doctor.strip(), active=True).first()
    if doctor is None:
        errors["ordering_doctor"] = _("No active person has this employee id.")
    lab = None
    if lab_unit:
        lab = OrgUnit.objects.filter(code=lab_unit).first()
        if lab is None:
            errors["lab_unit"] = _("No unit has this code.")
    if errors:
        raise ValidationError(errors)
    if external_id:
        existing = LabResult.objects.filter(
            submitted_by=submitted_by, external_id=external_id
        ).first()
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            result = LabResult.objects.create(
                patient=patient, ordering_doctor=doctor, lab_unit=lab,
                external_id=external_id, test_code=test_code, test_name=test_name,
                value=value, unit=unit, reference_range=reference_range, abnormal=abnormal,
                collected_at=collected_at, reported_at=reported_at or now(),
                submitted_by=submitted_by,
            )
            emit(
                event_type="lab_result.ready",
                event_key=f"lab_result:{result.pk}",
                # An urgent result escalates in the ordering doctor's unit (its on-call,
                # then its head): they can act on it, the laboratory cannot.
                org_unit=units_of_person(person=doctor).first() or lab,
                people=[doctor],
                message=_both(lambda: _("An abnormal lab result you ordered is ready")
                              if abnormal else _("A lab result you ordered is ready")),
                url=f"/health/lab-results/{result.pk}/",
                urgency=Urgency.URGENT if abnormal else None,
            )
    except IntegrityError:
        # The same external id posted concurrently: the other request stored it.
        return LabResult.objects.get(submitted_by=submitted_by, external_id=external_id), False
    return result, True
