from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from collab.core.errors import ServiceError
from collab.core.formatting import calendar_names

from .models import Attachment
from .selectors import require_member


def _strings() -> dict:
    return {
        # Times are formatted by chat.js from these names: phones' Intl often lacks Khmer.
        "calendar": calendar_names(),
        "edited": _("edited"),
        "deleted": _("This message was deleted."),
        "reply": _("Reply"),
        # Khmer has one form; English two: chat.js picks by the count.
        "replies_one": ngettext("%(count)s reply", "%(count)s replies", 1),
        "replies_other": ngettext("%(count)s reply", "%(count)s replies", 2),
        "react": _("React"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "pin": _("Pin"),
        "unpin": _("Unpin"),
        "pinned": _("Pinned"),
        "typing": _("%(names)s is typing…"),
        "online": _("online"),
        "away": _("away"),
        "offline": _("offline"),
        "join": _("Join"),
        "older": _("Loading older messages…"),
        "connecting": _("Connecting…"),
        "open": _("Connected"),
        "reconnecting": _("Reconnecting…"),
        "unauthorized": _("Please log in again."),
        "closed": _("Disconnected"),
        "sending": _("sending…"),
        "too_large": _("The file is too large."),
        "confirm_delete": _("Delete this message?"),
        "direct": _("Direct message"),
        "unread": _("unread"),
        "choose": _("Choose a room"),
        "edit_prompt": _("Edit your message"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "history": _("Edit history"),
        "history_current": _("Current version"),
        "history_replaced": _("Replaced %(when)s"),
        "history_empty": _("No earlier versions."),
        "pins_empty": _("No pinned messages."),
        "jump": _("Go to message"),
        "remove": _("Remove"),
        "confirm_remove": _("Remove %(name)s from this room?"),
        "role_owner": _("Owner"),
        "role_moderator": _("Moderator"),
        "role_member": _("Member"),
        "saved": _("Saved."),
        "invited": _("Invited: %(names)s"),
        "pick_someone": _("Pick at least one person."),
    }


def _meeting_url_pattern() -> str:
    """The calls app's "start a meeting from this room" URL with a 0 placeholder, if any."""
    try:
        return reverse("calls:start_from_room", args=[0])
    except NoReverseMatch:
        return ""


@login_required
def chat_home(request: HttpRequest, room_id: int | None = None) -> HttpResponse:
    return render(
        request,
        "chat/home.html",
        {
            "room_id": room_id,
            "strings": _strings(),
            "max_upload": settings.SAHAKAR_MAX_UPLOAD_BYTES,
            "meeting_url": _meeting_url_pattern(),
        },
    )


def _attachment_for(request: HttpRequest, attachment_id: int) -> Attachment:
    # One 403 for "no such file" and "not your room": outsiders learn nothing.
    att = Attachment.objects.filter(pk=attachment_id).first()
    if att is None:
        raise PermissionDenied
    try:
        require_member(user=request.user, room_id=att.room_id)
    except ServiceError:
        raise PermissionDenied from None
    return att


@require_GET
@login_required
def attachment_file(request: HttpRequest, attachment_id: int) -> FileResponse:
    att = _attachment_for(request, attachment_id)
    response = FileResponse(
        att.file.open("rb"),
        content_type=att.content_type,
        as_attachment=not att.is_image,
        filename=att.name,
    )
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@login_required
def attachment_thumbnail(request: HttpRequest, attachment_id: int) -> FileResponse:
    att = _attachment_for(request, attachment_id)
    if not att.thumbnail:
        raise Http404
    response = FileResponse(att.thumbnail.open("rb"), content_type="image/webp")
    response["Cache-Control"] = "private, max-age=86400"
    return response
