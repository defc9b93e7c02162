"""The decision document of an approved request: a bilingual PDF (collab.core.pdf: the
bundled Khmer font, in a process of its own) with the registry or request number and a QR
code to a public verification page. The page shows only what the definition's issuer
allows: what was decided and when, the requester's name when ``Paperwork.requester_public``
and the form fields marked ``"public": true``."""

import secrets

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from collab.core import pdf
from collab.core.clock import now

from . import fields, registry
from .forms import request_form
from .models import DecisionDocument, Entry, Paperwork, Request

# No 0/O or 1/I/L: the code is read off paper and typed.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


class NotDecided(Exception):
    """Only an approved request has a decision document."""


def _code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def issue(*, request: Request) -> DecisionDocument:
    """The request's decision document, made the first time it is asked for."""
    if request.status != Request.Status.APPROVED:
        raise NotDecided
    existing = DecisionDocument.objects.filter(request=request).first()
    if existing:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return DecisionDocument.objects.create(request=request, code=_code(),
                                                       issued_at=now())
        except IntegrityError:  # a code drawn twice, or the same request issued at once
            existing = DecisionDocument.objects.filter(request=request).first()
            if existing:
                return existing
    raise RuntimeError("could not draw a unique decision document code")


def verification_url(document: DecisionDocument) -> str:
    path = reverse("workflows:verify", kwargs={"code": document.code})
    return settings.SAHAKAR_BASE_URL.rstrip("/") + path


def _answers(request: Request, *, public_only: bool) -> list[tuple[str, str, str]]:
    """(English label, Khmer label, value in the current language) of the form's fields."""
    specs = [s for s in request.version.form if s.get("public") or not public_only]
    form_fields = {**request_form(specs).fields, **fields.computed_fields(specs)}
    out = []
    for spec in specs:
        value = request.data.get(spec["name"], "")
        if spec["name"] not in form_fields or value in ("", None):
            continue
        shown = fields.shown(form_fields[spec["name"]], value)
        if shown is None:
            shown = dict(getattr(form_fields[spec["name"]], "choices", ())).get(value, value)
        out.append((spec.get("label_en", ""), spec.get("label_km", ""), str(shown)))
    return out


def public_facts(document: DecisionDocument) -> dict:
    """What the verification page may show of the document's request."""
    request = document.request
    paperwork = Paperwork.objects.filter(definition_id=request.version.definition_id).first()
    decided = request.entries.filter(kind=Entry.Kind.COMPLETED).order_by("-at").first()
    return {
        "definition": request.version.definition,
        "reference": registry.reference(request),
        "decided_at": decided.at if decided else document.issued_at,
        "requester": request.requester if paperwork and paperwork.requester_public else None,
        "answers": _answers(request, public_only=True),
        "status": request.status,
    }


def qr_svg(document: DecisionDocument) -> str:
    return segno.make(verification_url(document), error="m").svg_inline(
        scale=3, border=2, dark="#1b2a4a")


def render_pdf(*, document: DecisionDocument) -> bytes:
    request = document.request
    with translation.override("km"):
        answers_km = _answers(request, public_only=False)
    with translation.override("en"):
        answers_en = _answers(request, public_only=False)
        approvals = list(request.entries.filter(kind=Entry.Kind.APPROVED)
                         .select_related("person", "step", "to").order_by("at", "pk"))
        html = render_to_string("workflows/decision_pdf.html", {
            "request": request, "document": document,
            "reference": registry.reference(request),
            "answers": [(en, km, value_km, value_en) for (en, km, value_km), (_e, _k, value_en)
                        in zip(answers_km, answers_en, strict=True)],
            "approvals": approvals,
            "qr_svg": qr_svg(document), "verify_url": verification_url(document),
        })
    return pdf.render_pdf(html=html, base_url=settings.SAHAKAR_BASE_URL)
