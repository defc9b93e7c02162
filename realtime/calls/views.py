import os

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from collab.core.errors import ServiceError

from . import selectors, services
from .forms import ScheduleForm
from .models import Meeting

NETCHECK_BYTES = 64 * 1024
DEFAULT_MESH_LIMIT = 4


def call_strings() -> dict[str, str]:
    """The in-call client's words, translated on the server (call.js has no catalogue)."""
    return {
        "ready": _("Camera and microphone ready. Join when you are ready."),
        "no_media": _("No camera or microphone: allow them in your browser."),
        "joining": _("Joining…"),
        "waiting": _("Please wait: the host will let you in."),
        "waiting_label": _("waiting"),
        "hand_raised": _("hand raised"),
        "audio_only": _("audio only"),
        "in_call": _("You are in the call."),
        "denied": _("The host did not let you in."),
        "forbidden": _("You may not join this meeting."),
        "not_found": _("This meeting has ended."),
        "relay_full": _("This meeting's relay is full."),
        "fallback": _("Slow connection: switched to audio only."),
        "left": _("You left the call."),
        "admit": _("Admit"),
        "deny": _("Deny"),
        "net_good": _("Good connection"),
        "net_fair": _("Fair connection"),
        "net_poor": _("Poor connection"),
        "netcheck": _("Your connection: about %s kbps."),
    }


def mesh_limit() -> int:
    """Above this many admitted people the call goes through the server relay."""
    return getattr(settings, "SAHAKAR_CALL_MESH_LIMIT", DEFAULT_MESH_LIMIT)


def call_context(*, meeting: Meeting, user) -> dict:
    return {
        "meeting": meeting,
        "me": user.pk,
        "is_host": meeting.host_id == user.pk,
        "call_strings": call_strings(),
        "mesh_limit": mesh_limit(),
    }


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.schedule_meeting(
                host=request.user,
                title=form.cleaned_data["title"],
                scheduled_for=form.cleaned_data["scheduled_for"],
                invitee_keys=form.cleaned_data["invitees"].replace("\n", ",").split(","),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("calls:meeting", meeting.pk)
    return render(
        request,
        "calls/meeting_list.html",
        {
            "form": form,
            "meetings": selectors.meetings_for(user=request.user)[:100],
        },
        status=422 if form.errors else 200,
    )


@login_required
def meeting_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk)
    if not selectors.can_open(user=request.user, meeting=meeting):
        raise Http404
    return render(request, "calls/meeting.html", call_context(meeting=meeting, user=request.user))


@login_required
@require_POST
def start_from_room(request: HttpRequest, room_id: int) -> HttpResponse:
    try:
        meeting = services.start_from_room(user=request.user, room_id=room_id)
    except ServiceError as exc:
        raise PermissionDenied(exc.message) from None
    return redirect("calls:meeting", meeting.pk)


@never_cache
@login_required
def netcheck(request: HttpRequest) -> HttpResponse:
    """Incompressible bytes for the pre-join download-speed check."""
    return HttpResponse(os.urandom(NETCHECK_BYTES), content_type="application/octet-stream")
