from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from collab.core.bounds import Id, StrictBody

from . import selectors, services
from .fhir import referral_bundle
from .models import HEALTH_ID_PATTERN, Referral

router = Router(tags=["health"])
# Patient data: never kept by a browser or proxy.
router.add_decorator(never_cache, mode="view")


class LabResultIn(StrictBody):
    health_id: str = Field(pattern=HEALTH_ID_PATTERN)
    ordering_doctor: str = Field(min_length=1, max_length=32, description="employee id")
    test_code: str = Field(min_length=1, max_length=32)
    test_name: str = Field(min_length=1, max_length=200)
    value: str = Field(min_length=1, max_length=100)
    unit: str = Field("", max_length=32)
    reference_range: str = Field("", max_length=64)
    abnormal: bool = False
    external_id: str = Field("", max_length=64)
    lab_unit: str = Field("", max_length=32, description="org unit code of the laboratory")
    collected_at: datetime | None = None
    reported_at: datetime | None = None


class LabResultOut(Schema):
    id: int
    created: bool


def _invalid(exc: ValidationError):
    fields = [
        {"field": field, "message": " ".join(str(m) for m in messages)}
        for field, messages in exc.message_dict.items()
    ]
    text = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return Status(422, {"message": f"Invalid input: {text}", "errors": fields})


@router.post("/lab-results", response={201: LabResultOut, 200: LabResultOut, 422: dict})
def post_lab_result(request: HttpRequest, payload: LabResultIn):
    """A lab system (a user with the "add lab result" permission) posts a result."""
    if not request.user.has_perm("health.add_labresult"):
        raise HttpError(403, "This account may not submit lab results.")
    try:
        result, created = services.record_lab_result(
            submitted_by=request.user, **payload.dict()
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201 if created else 200, {"id": result.pk, "created": created})


@router.get("/referrals/{referral_id}/fhir")
def referral_fhir(request: HttpRequest, referral_id: Id):
    referral = get_object_or_404(Referral, pk=referral_id)
    if not selectors.can_view_referral(user=request.user, referral=referral):
        raise HttpError(404, "Not found.")
    services.audit_read(user=request.user, obj=referral, action="export-fhir")
    return referral_bundle(referral)
