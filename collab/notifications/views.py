from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import InboxFilter, SettingsForm
from .models import UserSettings


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.inbox(
        user=request.user,
        unread=True if filters.get("unread") else None,
        needs_ack=True if filters.get("needs_ack") else None,
        urgency=filters.get("urgency") or None,
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    language = get_language() or "en"
    return render(request, "notifications/inbox.html", {
        "form": form,
        "page": page,
        "items": [selectors.notification_item(e, language) for e in page.object_list],
        "unread": selectors.unread_count(request.user),
    })


def _entry_or_404(request: HttpRequest, notification_id: int):
    entry = selectors.inbox_entry(user=request.user, notification_id=notification_id)
    if entry is None:
        raise Http404
    return entry


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "notifications:inbox")


@login_required
@require_POST
def acknowledge(request: HttpRequest, notification_id: int) -> HttpResponse:
    entry = _entry_or_404(request, notification_id)
    if services.acknowledge(notification=entry.notification, user=request.user):
        messages.success(request, _("Acknowledged. The escalation has stopped."))
    else:
        messages.info(request, _("Someone had already acknowledged this."))
    return _back(request)


@login_required
def history(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Who was tried and how; for the notification's recipients (the admin shows it too)."""
    notification = _entry_or_404(request, notification_id).notification
    return render(request, "notifications/history.html", {
        "message": notification.message(get_language() or "en"),
        "rows": selectors.history(notification),
    })


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    _entry_or_404(request, notification_id)
    services.mark_read(user=request.user, ids=[notification_id])
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=request.user)
    return _back(request)


@login_required
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    entry = _entry_or_404(request, notification_id)
    if entry.read_at is None:
        services.mark_read(user=request.user, ids=[notification_id])
    url = entry.notification.url
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        url = "/"
    return redirect(url)


def acknowledge_link(request: HttpRequest, token: str) -> HttpResponse:
    """From an email. GET asks for confirmation (link scanners must not acknowledge)."""
    if request.method == "POST":
        try:
            notification = services.acknowledge_with_link(token=token)
        except services.AckLinkInvalid as exc:
            error = (_("This link has already been used.") if exc.code == "used"
                     else _("This link is invalid or has expired."))
            return render(request, "notifications/ack_link.html", {"error": error}, status=410)
        except PermissionDenied:
            return render(request, "notifications/ack_link.html",
                          {"error": _("This link is invalid or has expired.")}, status=403)
        return render(request, "notifications/ack_link.html",
                      {"done": True, "url": notification.url})
    return render(request, "notifications/ack_link.html", {"token": token})


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    instance = UserSettings.objects.filter(user=request.user).first() or UserSettings(
        user=request.user
    )
    form = SettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.save_settings(
            user=request.user, quiet_start=form.cleaned_data["quiet_start"],
            quiet_end=form.cleaned_data["quiet_end"], digest=form.cleaned_data["digest"],
        )
        messages.success(request, _("Saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})
