"""FHIR R4 export (ServiceRequest), validated by fhir.resources (R4B models, same shape)."""

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


def referral_service_request(referral: Referral) -> dict:
    resource = ServiceRequest(
        id=f"referral-{referral.pk}",
        status=STATUS[referral.status],
        intent="order",
        priority=PRIORITY[referral.urgency],
        category=[{"coding": [{
            "system": "http://snomed.info/sct", "code": "3457005",
            "display": "Patient referral",
        }]}],
        code={"text": f"Referral to {referral.specialty}"},
        subject={
            "identifier": {"system": HEALTH_ID_SYSTEM, "value": referral.patient.health_id},
            "display": referral.patient.name_latin,
        },
        requester={
            "identifier": {"system": UNIT_SYSTEM, "value": referral.from_unit.code},
            "display": referral.from_unit.name_en,
        },
        performer=[{
            "identifier": {"system": UNIT_SYSTEM, "value": referral.to_unit.code},
            "display": referral.to_unit.name_en,
        }],
        authoredOn=referral.created_at.isoformat(),
        reasonCode=[{"text": referral.reason}],
        note=[{"text": referral.response_note}] if referral.response_note else None,
    )
    return resource.model_dump(mode="json", exclude_none=True)
