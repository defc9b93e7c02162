"""FHIR R4 exports as collection Bundles, validated by fhir.resources (R4B models, same shape).

Every entry's ``fullUrl`` is a ``urn:uuid:`` and every reference inside the Bundle names
one: FHIR R4 resolves a relative reference (``Patient/x``) only against a RESTful fullUrl,
so a receiver could not link resources otherwise. The UUIDs are derived (UUID 5) from the
suite's base URL and the resource's logical id: the same patient has the same fullUrl in
every export of this installation."""

import uuid

from django.conf import settings
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.servicerequest import ServiceRequest

from .models import Referral

HEALTH_ID_SYSTEM = "urn:sahakar:health-id"
UNIT_SYSTEM = "urn:sahakar:org-unit"
STATUS = {
    Referral.Status.PENDING: "active",
    Referral.Status.ACCEPTED: "active",
    Referral.Status.DECLINED: "revoked",
    Referral.Status.COMPLETED: "completed",
}
PRIORITY = {"routine": "routine", "urgent": "urgent", "critical": "stat"}
GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


def full_url(resource_type: str, logical_id: str) -> str:
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, settings.SAHAKAR_BASE_URL)
    return f"urn:uuid:{uuid.uuid5(namespace, f'{resource_type}/{logical_id}')}"


def reference(resource_type: str, logical_id: str, **extra) -> dict:
    """A reference to the entry of the same Bundle that holds this resource."""
    return {"reference": full_url(resource_type, logical_id), **extra}


def collection(resources: list[Resource]) -> dict:
    bundle = Bundle(
        type="collection",
        entry=[{"fullUrl": full_url(r.get_resource_type(), r.id), "resource": r}
               for r in resources],
    )
    return bundle.model_dump(mode="json", exclude_none=True)


def patient_resource(patient) -> FhirPatient:
    names = [{"use": "official", "family": patient.family_name_latin,
              "given": [patient.given_name_latin]}]
    if patient.name_km:
        names.append({"use": "usual", "text": patient.name_km,
                      "family": patient.family_name_km or None,
                      "given": [patient.given_name_km] if patient.given_name_km else None})
    return FhirPatient(
        id=f"patient-{patient.pk}",
        identifier=[{"system": HEALTH_ID_SYSTEM, "value": patient.health_id}],
        name=names,
        gender=GENDER[patient.sex],
        birthDate=patient.birth_date.isoformat() if patient.birth_date else None,
        telecom=[{"system": "phone", "value": patient.phone}] if patient.phone else None,
    )


def _unit(unit) -> Organization:
    return Organization(
        id=f"unit-{unit.pk}", name=unit.name_en,
        identifier=[{"system": UNIT_SYSTEM, "value": unit.code}],
    )


def _unit_reference(unit) -> dict:
    return reference("Organization", f"unit-{unit.pk}", display=unit.name_en,
                     identifier={"system": UNIT_SYSTEM, "value": unit.code})


def referral_bundle(referral: Referral) -> dict:
    """A collection Bundle: the ServiceRequest, its Patient and both units (Organization)."""
    patient = referral.patient
    request = ServiceRequest(
        id=f"referral-{referral.pk}",
        status=STATUS[referral.status],
        intent="order",
        priority=PRIORITY[referral.urgency],
        category=[{"coding": [{
            "system": "http://snomed.info/sct", "code": "3457005",
            "display": "Patient referral",
        }]}],
        code={"text": f"Referral to {referral.specialty}"},
        subject=reference(
            "Patient", f"patient-{patient.pk}", display=patient.name_latin,
            identifier={"system": HEALTH_ID_SYSTEM, "value": patient.health_id},
        ),
        requester=_unit_reference(referral.from_unit),
        performer=[_unit_reference(referral.to_unit)],
        authoredOn=referral.created_at.isoformat(),
        reasonCode=[{"text": referral.reason}],
        note=[{"text": referral.response_note}] if referral.response_note else None,
    )
    units = [_unit(referral.from_unit)]
    if referral.to_unit_id != referral.from_unit_id:
        units.append(_unit(referral.to_unit))
    return collection([request, patient_resource(patient), *units])
