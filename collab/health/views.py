from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import selectors, services
from .fhir import referral_bundle
from .forms import LabResultForm, ReferralForm, ResponseForm
from .models import LabResult, Patient, Referral


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    units = selectors.referral_units_for(request.user)
    form = ReferralForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.create_referral(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Referral sent. The receiving unit has been notified."))
            return redirect("health:referral", referral.pk)
    return render(request, "health/referral_form.html", {"form": form, "units": units},
                  status=422 if form.errors else 200)


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    direction = "outgoing" if request.GET.get("direction") == "outgoing" else "incoming"
    status = request.GET.get("status", "")
    if status not in Referral.Status.values:
        status = ""
    referrals = selectors.referrals_for(user=request.user, direction=direction, status=status)
    return render(request, "health/referral_list.html", {
        "referrals": referrals[:200], "direction": direction, "status": status,
        "statuses": Referral.Status.choices,
    })


def _referral(request: HttpRequest, pk: int) -> Referral:
    referral = get_object_or_404(
        Referral.objects.select_related("patient", "from_unit", "to_unit", "referred_by"), pk=pk
    )
    if not selectors.can_view_referral(user=request.user, referral=referral):
        raise Http404
    return referral


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    services.audit_read(user=request.user, obj=referral, action="view")
    form = ResponseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.respond_to_referral(
                    referral=referral, user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors(form, exc)
                status = 422
            else:
                messages.success(request, _("Saved. The referring worker has been told."))
                return redirect("health:referral", referral.pk)
        else:
            status = 422
    return render(request, "health/referral_detail.html", {
        "referral": referral, "form": form,
        "can_handle": selectors.can_handle_referral(user=request.user, referral=referral),
    }, status=status)


@login_required
def referral_fhir(request: HttpRequest, pk: int) -> JsonResponse:
    referral = _referral(request, pk)
    services.audit_read(user=request.user, obj=referral, action="export-fhir")
    return JsonResponse(referral_bundle(referral),
                        content_type="application/fhir+json",
                        json_dumps_params={"ensure_ascii": False})


@login_required
def patient_find(request: HttpRequest) -> JsonResponse:
    """JSON for the patient picker: only patients the user may see; nothing is audited as
    read (no record is opened, only names and Health IDs listed)."""
    patients = selectors.patients_matching(user=request.user, q=request.GET.get("q", ""))
    items = [{"key": p.health_id, "name_km": f"{p.family_name_km} {p.given_name_km}".strip(),
              "name_en": f"{p.family_name_latin} {p.given_name_latin}".strip()} for p in patients]
    return JsonResponse({"items": items})


@login_required
def patient_detail(request: HttpRequest, health_id: str) -> HttpResponse:
    patient = Patient.objects.filter(health_id=health_id).first()
    # One answer whether the patient exists or not: no oracle of who is registered.
    if patient is None or not selectors.can_view_patient(user=request.user, patient=patient):
        raise Http404
    services.audit_read(user=request.user, obj=patient, action="view")
    return render(request, "health/patient_detail.html", {
        "patient": patient,
        "referrals": patient.referrals.select_related("from_unit", "to_unit")[:50],
        "lab_results": patient.lab_results.select_related("ordering_doctor")[:50],
    })


@login_required
def lab_result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(
        LabResult.objects.select_related("patient", "ordering_doctor", "lab_unit"), pk=pk
    )
    if not selectors.can_view_lab_result(user=request.user, result=result):
        raise Http404
    services.audit_read(user=request.user, obj=result, action="view")
    return render(request, "health/lab_result_detail.html", {"result": result})



@login_required
@permission_required("health.add_labresult", raise_exception=True)
def lab_result_new(request: HttpRequest) -> HttpResponse:
    form = LabResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result, _created = services.record_lab_result(
                submitted_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Lab result saved. The ordering doctor has been told."))
            return redirect("health:lab_result", result.pk)
    return render(request, "health/lab_result_form.html", {"form": form},
                  status=422 if form.errors else 200)
