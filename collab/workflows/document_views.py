"""A request's files, its decision document (PDF) and the document's public verification
page."""

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from collab.core.pdf import PdfError, pdf_unavailable
from collab.directory.selectors import person_for_user

from . import documents, selectors
from .models import Attachment, DecisionDocument, Request

logger = logging.getLogger(__name__)


def _readable(request: HttpRequest, wf_request: Request) -> None:
    # One 404 for "no such thing" and "not yours": outsiders learn nothing.
    if not selectors.can_view(person=person_for_user(request.user), request=wf_request):
        raise Http404


@require_GET
@login_required
def attachment_file(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = get_object_or_404(Attachment.objects.select_related("request"),
                                   pk=attachment_id)
    _readable(request, attachment.request)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=True, filename=attachment.name)
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@login_required
def decision_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    wf_request = get_object_or_404(
        Request.objects.select_related("version__definition", "requester", "unit"), pk=pk)
    _readable(request, wf_request)
    try:
        document = documents.issue(request=wf_request)
    except documents.NotDecided:
        raise Http404 from None
    try:
        data = documents.render_pdf(document=document)
    except PdfError:
        logger.exception("decision PDF of workflow request %s", wf_request.pk)
        return pdf_unavailable()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="decision-{document.code}.pdf"'
    return response


@never_cache
def verify(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Public: anyone holding the paper may check it; it shows no more than the issuer
    allows (documents.public_facts)."""
    if code is None:
        typed = (request.GET.get("code") or "").strip().upper()
        if typed:
            return redirect("workflows:verify", code=typed)
        return render(request, "workflows/verify.html", {"searched": False})
    document = DecisionDocument.objects.select_related(
        "request__version__definition", "request__requester").filter(code=code.upper()).first()
    context = {"searched": True, "code": code.upper()}
    if document:
        facts = documents.public_facts(document)
        km = (get_language() or "en").startswith("km")
        context.update(facts=facts, answers=[((k or e) if km else e, v)
                                             for e, k, v in facts["answers"]])
    return render(request, "workflows/verify.html", context, status=200 if document else 404)
