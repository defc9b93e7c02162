"""Certificate PDF (its holder or their managers) and the public verification page."""

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from collab.core.pdf import PdfError, pdf_unavailable

from .. import selectors
from ..models import Certificate
from ..services.certificates import render_pdf
from .common import person_required

logger = logging.getLogger(__name__)


@person_required
def certificate_pdf(request, code: str):
    certificate = Certificate.objects.select_related("person").filter(code=code).first()
    if certificate is None or not (
        certificate.person_id == request.person.pk
        or selectors.can_manage_person(request.user, certificate.person)
    ):
        raise Http404
    try:
        pdf = render_pdf(certificate=certificate)
    except PdfError:
        logger.exception("certificate PDF %s", certificate.code)
        return pdf_unavailable()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@never_cache
def verify(request, code: str | None = None):
    """Public: anyone holding the paper may check it. Shows no more than the paper does."""
    if code is None:
        typed = (request.GET.get("code") or "").strip().upper()
        if typed:
            return redirect("training:verify", code=typed)
        return render(request, "training/verify.html", {"searched": False})
    certificate = Certificate.objects.filter(code=code.upper()).first()
    context = {"searched": True, "code": code, "certificate": certificate}
    if certificate:
        context["state"] = selectors.certificate_state(certificate)
    return render(request, "training/verify.html", context, status=200 if certificate else 404)
