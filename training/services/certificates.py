"""Certificates: issue with a unique code, revoke, render as PDF with a QR code."""

import secrets
from decimal import Decimal

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from collab.core import clock, pdf

from ..models import Certificate, Enrolment

# Crockford-style alphabet: no 0/O or 1/I/L to misread when typed from paper.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def add_months(moment, months: int):
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    import calendar

    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def issue_certificate(*, enrolment: Enrolment, score: Decimal | None) -> Certificate:
    person, course = enrolment.person, enrolment.course
    issued = clock.now()
    months = course.certificate_validity_months
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    code=new_code(),
                    person=person,
                    course=course,
                    name_km=person.name_km,
                    name_en=person.name_en,
                    course_title=course.title,
                    score=score,
                    issued_at=issued,
                    expires_at=add_months(issued, months) if months else None,
                )
        except IntegrityError:  # a code collision: draw again
            continue
    raise RuntimeError("could not draw a unique certificate code")


def revoke_certificate(*, certificate: Certificate, reason: str) -> Certificate:
    if not certificate.revoked_at:
        certificate.revoked_at = clock.now()
        certificate.revoked_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_reason"])
    return certificate


def verification_url(certificate: Certificate) -> str:
    path = reverse("training:verify", kwargs={"code": certificate.code})
    return settings.SAHAKAR_BASE_URL.rstrip("/") + path


def qr_svg(certificate: Certificate) -> str:
    qr = segno.make(verification_url(certificate), error="m")
    return qr.svg_inline(scale=3, border=2, dark="#1b2a4a")


def render_pdf(*, certificate: Certificate) -> bytes:
    """Bilingual certificate, rendered with the bundled fonts (collab.core.pdf)."""
    with translation.override("km"):
        html = render_to_string(
            "training/certificate_pdf.html",
            {
                "certificate": certificate,
                "qr_svg": qr_svg(certificate),
                "verify_url": verification_url(certificate),
            },
        )
    return pdf.render_pdf(html=html, base_url=settings.SAHAKAR_BASE_URL)
