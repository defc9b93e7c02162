"""Reader actions outside the page tree: PDF download, feedback, subscriptions."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.core.pdf import PdfError, pdf_unavailable
from knowledge import services
from knowledge.models import ArticlePage, KnowledgeSpacePage
from knowledge.pdf import article_pdf
from knowledge.rich_text import served_specs
from knowledge.visibility import can_view_page, media_readable

logger = logging.getLogger(__name__)


def _readable(request, model, pk):
    """The live page if ``request.user`` may read it; else PermissionDenied."""
    page = get_object_or_404(model.objects.live(), pk=pk)
    if not can_view_page(user=request.user, page=page):
        raise PermissionDenied
    return page


def article_pdf_view(request, page_id: int):
    try:
        page = _readable(request, ArticlePage, page_id)
    except PermissionDenied:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise
    try:
        pdf = article_pdf(page=page, request=request)
    except PdfError:
        logger.exception("article PDF %s", page.pk)
        return pdf_unavailable()
    response = HttpResponse(pdf, content_type="application/pdf")
    # Slugs may be Khmer: the header helper encodes them (RFC 6266 filename*).
    response["Content-Disposition"] = content_disposition_header(False, f"{page.slug}.pdf")
    return response


@require_POST
@login_required
def feedback_view(request, page_id: int):
    page = _readable(request, ArticlePage, page_id)
    helpful = request.POST.get("helpful")
    comment = request.POST.get("comment", "")
    errors = {}
    if helpful not in ("yes", "no"):
        errors["helpful"] = _("Choose “Yes” or “No”.")
    if not errors:
        try:
            services.record_feedback(
                user=request.user, page=page, helpful=helpful == "yes", comment=comment
            )
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
    if errors:
        # Keep what the reader wrote: show the form again with the comment filled in.
        return render(
            request,
            "knowledge/feedback_error.html",
            {"page": page, "errors": errors, "comment": comment, "helpful": helpful},
            status=400,
        )
    messages.success(request, _("Thank you: your feedback was sent to the page's owner."))
    return redirect(page.url + "#feedback")


@require_POST
@login_required
def subscription_view(request, space_id: int):
    space = _readable(request, KnowledgeSpacePage, space_id)
    action = request.POST.get("action")
    if action == "subscribe":
        services.subscribe(user=request.user, space=space)
        messages.success(request, _("You will be told when a page in this space is published."))
    elif action == "unsubscribe":
        services.unsubscribe(user=request.user, space=space)
        messages.success(request, _("You no longer follow this space."))
    else:
        return HttpResponseBadRequest(_("Unknown action: use subscribe or unsubscribe."))
    return redirect(space.url)


def image_view(request, image_id: int, spec: str):
    """An image rendition, served only to readers of a page that uses the image (images of
    private spaces never go out as plain /media/ addresses)."""
    from wagtail.images import get_image_model

    if spec not in served_specs():  # no renditions made on demand
        raise Http404
    image = get_object_or_404(get_image_model(), pk=image_id)
    if not media_readable(user=request.user, obj=image):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    rendition = image.get_rendition(spec)
    response = FileResponse(rendition.file.open("rb"), content_type=f"image/{_format(rendition)}")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _format(rendition) -> str:
    ext = rendition.file.name.rsplit(".", 1)[-1].lower()
    return {"jpg": "jpeg", "svg": "svg+xml"}.get(ext, ext)
