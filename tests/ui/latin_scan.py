"""Runs of Latin letters on Khmer pages: each must be a name, a code, a brand word or user
content; anything else is a text that did not come from a catalogue with a Khmer translation."""

from __future__ import annotations

import re
from collections import defaultdict

WORD = re.compile(r"[A-Za-z][A-Za-z’'.-]*[A-Za-z]|[A-Za-z]")

# Brand words, standards, formats and units that stay Latin in Khmer text.
ALLOW = {
    "Sahakar", "English", "FHIR", "ServiceRequest", "SOAP", "JSON", "PDF", "CSV", "API", "QR",
    "URL", "KB", "MB", "kbps", "ms", "mg", "ml", "kg",
    "Authorization", "Bearer", "token",  # the HTTP header to send, literally
    "XXXX-XXXX-XXXX",  # the shape of a certificate code
    "IP",  # an address's kind, as Khmer texts write it
    # authenticator apps, by their own names
    "Google", "Microsoft", "Authenticator", "FreeOTP", "Aegis",
    "Django", "Wagtail",  # the two admins, by their own names
}

# User content: Latin words that people typed (names, titles, message text) are not
# catalogue text. Collected from these models' text fields in the test database.
# Wagtail's pages (knowledge, training) come on top: every page model.
CONTENT_MODELS = (
    "auth.User", "directory.Person", "directory.OrgUnit", "directory.Position",
    "health.Patient", "health.Referral", "consultations.Appointment",
    "consultations.ConsultationNote", "consultations.PrescriptionLine", "chat.Room",
    "chat.Message", "calls.Meeting", "taggit.Tag",
    # named in the admins: groups, Wagtail's workflows and their tasks, our workflow
    # definitions
    "auth.Group", "wagtailcore.Workflow", "wagtailcore.Task", "workflows.Definition",
    "workflows.RegistryNumber", "workflows.DecisionDocument",  # registry prefixes, codes
    "workflows.Attachment",  # file names
)


def content_words() -> set[str]:
    from django.apps import apps
    from django.db import models
    from wagtail.fields import StreamField
    from wagtail.models import get_page_models

    words: set[str] = set()
    for model in [apps.get_model(label) for label in CONTENT_MODELS] + get_page_models():
        fields = [f for f in model._meta.get_fields() if getattr(f, "concrete", False)
                  and isinstance(f, models.CharField | models.TextField | models.JSONField
                                 | StreamField)]
        for row in model.objects.values_list(*[f.name for f in fields]):
            for value in row:
                if value:
                    words.update(WORD.findall(str(getattr(value, "raw_data", value))))
    return words


def untranslated(
    texts: list[dict], content: set[str], waived: dict[str, set[str]] | None = None
) -> dict[str, set[str]]:
    """Latin words neither allowed nor ``content`` (``content_words()`` of the database the
    pages were made from) nor ``waived`` for the page's route name (or "cms:*" for every
    page of that prefix) -> where they were seen."""
    allowed = ALLOW | content
    waived = waived or {}
    found: dict[str, set[str]] = defaultdict(set)
    for item in texts:  # {"page", "name", "element", "text"}
        name = item.get("name", "")
        page_allowed = waived.get(name, set()) | waived.get(name.split(":")[0] + ":*", set())
        for word in WORD.findall(item["text"]):
            if word in allowed or word.strip(".-’'") in allowed or len(word) == 1:
                continue
            if word in page_allowed:
                continue
            found[word].add(f"{item['page']} {item['element']}")
    return found
