from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.core.errors import ServiceError
from collab.directory.selectors import person_for_user
from collab.health.services import audit_read
from realtime.calls.views import call_context

from . import selectors, services
from .fhir import consultation_bundle
from .forms import PRESCRIPTION_ROWS, AppointmentForm, NoteForm
from .middleware import GUEST_SESSION_KEY
from .models import Appointment, ConsultationNote, PatientLink, Recording, RecordingConsent
from .services import PRESCRIPTION_FIELDS

DEVICE_COOKIE = "sahakar_visit"


def _errors_into(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _refused(request: HttpRequest, error: ServiceError, pk: int) -> HttpResponse:
    """A refused action: the 403 page when it is not the caller's to take, otherwise the
    message on the appointment's page."""
    if error.code == "forbidden":
        raise PermissionDenied(error.message) from error
    messages.error(request, error.message)
    return redirect("consultations:detail", pk)


@login_required
def appointment_list(request: HttpRequest) -> HttpResponse:
    form = AppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        doctor = person_for_user(request.user)
        if doctor is None:
            form.add_error(None, _("Only people in the directory can book consultations."))
        else:
            try:
                appointment = services.book_appointment(
                    booked_by=request.user, doctor=doctor, **form.cleaned_data
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                return redirect("consultations:detail", appointment.pk)
    appointments = selectors.appointments_for(user=request.user).order_by("-scheduled_for")[:200]
    return render(
        request,
        "consultations/appointment_list.html",
        {"form": form, "appointments": appointments},
        status=422 if form.errors else 200,
    )


def _appointment(request: HttpRequest, pk: int) -> Appointment:
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "doctor", "referring_worker", "meeting"),
        pk=pk,
    )
    if not selectors.can_view(user=request.user, appointment=appointment):
        raise Http404
    return appointment


def _note(appointment: Appointment) -> ConsultationNote | None:
    return ConsultationNote.objects.filter(appointment=appointment).first()


@login_required
def appointment_detail(request: HttpRequest, pk: int, note_form=None, token="") -> HttpResponse:
    appointment = _appointment(request, pk)
    audit_read(user=request.user, obj=appointment.patient, action="view")
    note = _note(appointment)
    if note is not None:
        audit_read(user=request.user, obj=note, action="view")
    initial = (
        {f: getattr(note, f) for f in ("subjective", "objective", "assessment", "plan")}
        if note
        else {}
    )
    if note_form is not None:  # re-show what was posted, not what is stored
        rows = [row for row in note_form.prescription()]
    else:
        rows = [
            {f: getattr(r, f) for f in PRESCRIPTION_FIELDS}
            for r in (note.prescription.all() if note else [])
        ]
    empty = dict.fromkeys(PRESCRIPTION_FIELDS, "")
    prescription = [
        (rows[n] if n < len(rows) else empty) | {"n": n} for n in range(PRESCRIPTION_ROWS)
    ]
    return render(
        request,
        "consultations/appointment_detail.html",
        {
            "appointment": appointment,
            "note": note,
            "revisions": note.revisions.select_related("signed_by__person") if note else [],
            "note_form": note_form or NoteForm(initial=initial),
            "prescription": prescription,
            "links": appointment.links.all(),
            "new_link": request.build_absolute_uri(f"/consultations/join/{token}/")
            if token
            else "",
            "can_manage": selectors.can_manage(user=request.user, appointment=appointment),
            "is_doctor": appointment.doctor.user_id == request.user.pk,
            "consents": appointment.consents.all(),
            "recording_allowed": selectors.recording_allowed(appointment=appointment),
            "recordings": appointment.recordings.exclude(file=""),
            "statuses": Appointment.Status.choices,
        },
        status=422 if note_form is not None and note_form.errors else 200,
    )


def record_strings() -> dict[str, str]:
    """The record button's words for record.js (translated here: the script has none)."""
    return {
        "starting": _("Starting the recording…"),
        "recording": _("Recording. Both of you consented."),
        "stopping": _("Stopping…"),
        "stopped": _("Recording saved (%s KB)."),
        "no_call": _("Join the call first: the recording takes the call's sound and picture."),
        "failed": _("The recording could not start: %s"),
        "consented": _("consented"),
        "not_consented": _("has not consented"),
    }


@login_required
def call(request: HttpRequest, pk: int) -> HttpResponse:
    """The consultation's call, with the record button for the treating doctor."""
    appointment = _appointment(request, pk)
    if appointment.meeting_id is None or appointment.meeting.ended is not None:
        raise Http404
    audit_read(user=request.user, obj=appointment.patient, action="view")
    consented = selectors.consented_roles(appointment=appointment)
    return render(
        request,
        "consultations/call.html",
        {
            "appointment": appointment,
            "is_doctor": appointment.doctor.user_id == request.user.pk,
            "consents": [
                (role, label, role in consented) for role, label in RecordingConsent.Role.choices
            ],
            "recording_allowed": consented == set(RecordingConsent.Role.values),
            "record_strings": record_strings(),
            **call_context(meeting=appointment.meeting, user=request.user),
        },
    )


@login_required
@require_POST
def sign_note(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.sign_note(
                appointment=appointment,
                by=request.user,
                prescription=form.prescription(),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        except ServiceError as error:
            return _refused(request, error, pk)
        else:
            messages.success(request, _("Note signed."))
            return redirect("consultations:detail", pk)
    return appointment_detail(request, pk, note_form=form)


@login_required
@require_POST
def issue_link(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(request, pk)
    try:
        _link, token = services.issue_link(appointment=appointment, by=request.user)
    except ServiceError as error:
        return _refused(request, error, pk)
    # Shown once, on this response only: the token itself is never stored.
    return appointment_detail(request, pk, token=token)


@login_required
@require_POST
def revoke_link(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    appointment = _appointment(request, pk)
    link = get_object_or_404(PatientLink, pk=link_pk, appointment=appointment)
    try:
        services.revoke_link(link=link, by=request.user)
    except ServiceError as error:
        return _refused(request, error, pk)
    messages.success(request, _("Link revoked: it can no longer be used."))
    return redirect("consultations:detail", pk)


@login_required
@require_POST
def admit(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(request, pk)
    try:
        services.admit_patient(appointment=appointment, by=request.user)
    except ServiceError as error:
        return _refused(request, error, pk)
    return redirect("consultations:detail", pk)


@login_required
@require_POST
def set_status(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(request, pk)
    try:
        services.set_status(
            appointment=appointment, by=request.user, status=request.POST.get("status", "")
        )
    except ServiceError as error:
        return _refused(request, error, pk)
    return redirect("consultations:detail", pk)


@login_required
@require_POST
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(Appointment, pk=pk)
    try:
        if request.POST.get("withdraw"):
            services.withdraw_consent(appointment=appointment, user=request.user)
        else:
            services.give_consent(appointment=appointment, user=request.user)
    except ServiceError as error:  # the same answer as for an appointment that is not there
        raise Http404 from error
    if selectors.can_view(user=request.user, appointment=appointment):
        return redirect("consultations:detail", pk)
    return redirect("consultations:visit")


@login_required
def fhir_export(request: HttpRequest, pk: int) -> JsonResponse:
    appointment = _appointment(request, pk)
    note = _note(appointment)
    audit_read(user=request.user, obj=appointment.patient, action="export")
    if note is not None:
        audit_read(user=request.user, obj=note, action="export")
    response = JsonResponse(consultation_bundle(appointment, note))
    response["Content-Type"] = "application/fhir+json"
    return response


def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """A patient opens their one-time link: no account, the link logs this browser in."""
    try:
        visit = services.open_link(token=token, device_secret=request.COOKIES.get(DEVICE_COOKIE))
    except ServiceError as refused:
        return render(
            request, "consultations/link_refused.html", {"error": refused}, status=refused.status
        )
    login(request, visit.guest, backend="django.contrib.auth.backends.ModelBackend")
    request.session[GUEST_SESSION_KEY] = visit.link.appointment_id
    response = redirect("consultations:visit")
    response.set_cookie(
        DEVICE_COOKIE,
        visit.device_secret,
        expires=visit.link.expires_at,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
        path="/consultations/",
    )
    return response


def visit(request: HttpRequest) -> HttpResponse:
    """The patient's waiting room, then their call."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    appointment = selectors.guest_appointment(user=request.user)
    if appointment is None:
        raise Http404
    context = call_context(meeting=appointment.meeting, user=request.user)
    # The call's status line says it, and says something else once the doctor admits them.
    context["call_strings"]["waiting"] = _("Please wait: the doctor will let you in.")
    return render(
        request,
        "consultations/visit.html",
        {
            "appointment": appointment,
            "consents": appointment.consents.filter(withdrawn_at__isnull=True),
            **context,
        },
    )


@login_required
def recording_file(request: HttpRequest, key: str) -> FileResponse:
    """Only the treating doctor and admins play a recording; each play is audited."""
    recording = get_object_or_404(
        Recording.objects.select_related("appointment__doctor", "appointment__patient"), key=key
    )
    if not selectors.can_manage(user=request.user, appointment=recording.appointment):
        raise Http404
    if not recording.file:
        raise Http404
    audit_read(user=request.user, obj=recording, action="play")
    return FileResponse(recording.file.open("rb"), content_type="video/mp4")
