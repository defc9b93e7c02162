"""Every HTML page a role can reach, generated from the URL conf, the page tree and the
demo data (``seed_demo`` plus the few records the demo lacks, made by ``extra_records``).

A route with parameters needs a sample below, or an entry in ``NOT_PAGES`` saying why it is
no page; a new route without either fails ``test_every_route_is_in_the_inventory``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ("admin", "doctor", "nurse", "manager", "trainee")

# Route prefixes and names that are no page of ours, with the reason.
NOT_PAGES = {
    "admin/": "Django's admin: its index and one changelist are visited (admin_urls)",
    "cms/": "Wagtail's admin: the screens editors use every day are visited (admin_urls)",
    "api/": "the JSON API",
    "identity/": "single sign-on redirects and the provider's back-channel (tests/identity)",
    "scim/": "the SCIM JSON API for identity providers",
    "media/": "uploaded files (development only)",
    "documents/": "Wagtail document downloads (files)",
    "_util/": "Wagtail's password and login forms for restricted pages (unused here)",
    "healthz": "JSON health report",
    "set_language": "POST only (the footer's language switch)",
    "accounts:logout": "POST only",
    "accounts:login": "visited by the role 'anonymous' (a signed-in role is sent home)",
    "accounts:profile_language": "POST only",
    "accounts:token_create": "POST only",
    "accounts:token_revoke": "POST only",
    "accounts:session_end": "POST only",
    "accounts:sessions_end_others": "POST only",
    "accounts:recovery_codes": "POST only",
    "accounts:mfa_remove": "POST only",
    "accounts:passkey_add_options": "POST only (JSON for passkeys.js)",
    "accounts:passkey_add": "POST only (JSON for passkeys.js)",
    "accounts:passkey_sign_in_options": "POST only (JSON for passkeys.js)",
    "accounts:passkey_sign_in": "POST only (JSON for passkeys.js)",
    "accounts:passkey_remove": "POST only",
    "accounts:password_reset_confirm": "a one-time emailed link (tests/accounts/test_browser.py)",
    "accounts:invitation": "a one-time emailed link (tests/accounts/test_browser.py)",
    "notifications:read_all": "POST only",
    "notifications:ack": "POST only",
    "notifications:read": "POST only",
    "notifications:open": "redirects to what the notification is about",
    "notifications:ack_link": "a signed one-time link from an email (tests/notifications)",
    "health:referral_fhir": "JSON (FHIR)",
    "health:patient_find": "JSON for the patient picker",
    "consultations:sign_note": "POST only",
    "consultations:issue_link": "POST only",
    "consultations:revoke_link": "POST only",
    "consultations:admit": "POST only",
    "consultations:status": "POST only",
    "consultations:consent": "POST only",
    "consultations:fhir": "JSON (FHIR)",
    "consultations:open_link": "the patient's one-time link: logs a guest in (see visit)",
    "consultations:visit": "the patient's page: checked as the role 'patient'",
    "consultations:recording": "a video file",
    "search:people": "JSON for the typeahead",
    "chat:file": "an attachment (file)",
    "chat:thumbnail": "an image",
    "calls:start_from_room": "POST only",
    "calls:netcheck": "random bytes for the speed check",
    "training:enrol": "POST only",
    "training:renew": "POST only",
    "training:start": "POST only",
    "training:submit": "POST only",
    "training:certificate_pdf": "a PDF",
    "training:attempt": "a quiz attempt in progress: reached by starting a quiz (tests/training)",
    "training:verify": "a certificate's public check: the demo has no certificate",
    "knowledge:pdf": "a PDF",
    "knowledge:feedback": "POST only",
    "knowledge:image": "an image",
    "knowledge:subscription": "POST only",
    "wagtail_serve": "the page tree: one page of each page type is visited (page_tree_urls)",
    "workflows:attachment": "a request's file",
    "workflows:decision_pdf": "a PDF",
    "workflows:reports_csv": "a CSV download (tests/workflows/test_reports.py)",
}


@dataclass(frozen=True)
class Route:
    route: str
    name: str

    @property
    def has_parameters(self) -> bool:
        return "<" in self.route or "(" in self.route


def routes() -> Iterator[Route]:
    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace or ""]))
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
                yield Route(prefix + str(p.pattern), name)

    yield from walk(get_resolver().url_patterns)


def not_a_page(route: Route) -> str | None:
    for key, reason in NOT_PAGES.items():
        if route.name == key or (key.endswith("/") and route.route.startswith(key)):
            return reason
    return None


def extra_records() -> None:
    """What the demo lacks for these pages: a meeting, a consultation with a signed note and
    prescription, a referral."""
    from django.contrib.auth import get_user_model

    from collab.consultations import services as consultations
    from collab.core.clock import now
    from collab.directory.models import Person
    from collab.health import services as health
    from collab.health.models import Patient
    from collab.workflows import services as workflows
    from collab.workflows.models import Definition
    from realtime.calls import services as calls

    users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}
    doctor = Person.objects.get(user=users["doctor"])
    nurse = Person.objects.get(user=users["nurse"])
    patient = Patient.objects.order_by("health_id").first()
    soon = now() + timedelta(hours=2)
    calls.create_meeting(
        host=users["doctor"], title="Ward round", scheduled_for=soon,
        invitees=[users[name] for name in ROLES if name != "doctor"],
    )
    appointment = consultations.book_appointment(
        booked_by=users["doctor"], health_id=patient.health_id, doctor=doctor,
        scheduled_for=soon, reason="Follow-up", referring_worker=nurse,
    )
    consultations.sign_note(
        appointment=appointment, by=users["doctor"], subjective="Cough for 3 days",
        objective="T 37.8", assessment="Bronchitis", plan="Rest",
        prescription=[{"medication": "Amoxicillin", "dose": "500 mg", "frequency": "3x/day",
                       "duration": "5 days", "instructions": "after meals"}],
    )
    from_unit = nurse.positions.first().unit if hasattr(nurse, "positions") else None
    to_unit = doctor.positions.first().unit if hasattr(doctor, "positions") else None
    if from_unit and to_unit and from_unit != to_unit:
        health.create_referral(
            user=users["nurse"], health_id=patient.health_id, from_unit=from_unit,
            to_unit=to_unit, specialty="pediatrics", reason="Fever in an infant",
            urgency="urgent",
        )
    workflows.start_request(
        person=nurse, definition=Definition.objects.get(key="leave-request"),
        data={"leave_type": "annual", "first_day": "2026-12-20", "days": 5, "reason": "Family"},
    )
    _decided_mission_order(nurse)


def _decided_mission_order(nurse) -> None:
    """An approved mission order with its decision document (the verification page), and
    a file on the nurse's leave request."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from collab.workflows import attachments, documents
    from collab.workflows import services as workflows
    from collab.workflows.models import Definition, Request, Step

    leave = Request.objects.filter(requester=nurse).order_by("pk").first()
    attachments.add(person=nurse, request=leave, upload=SimpleUploadedFile(
        "note.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))
    mission = workflows.start_request(
        person=nurse, definition=Definition.objects.get(key="mission-order"),
        data={"purpose": "Vaccination campaign", "destination": "05", "transport": "public",
              "trip_start": "2026-12-20", "trip_end": "2026-12-21"},
    )
    while step := mission.steps.filter(status=Step.Status.OPEN).first():
        workflows.decide(person=step.assignees.first(), step=step, decision="approved")
    mission.refresh_from_db()
    documents.issue(request=mission)


def _first(model_path: str, **filters):
    from django.apps import apps

    return apps.get_model(model_path).objects.filter(**filters).order_by("pk").first()


def _samples(user) -> dict[str, Callable[[], dict | None]]:
    """Route name -> the keyword arguments of one page of it that ``user`` may see."""

    def kw(obj, **names):
        return None if obj is None else {k: getattr(obj, attr) for k, attr in names.items()}

    return {
        "directory:unit": lambda: kw(
            _first("directory.OrgUnit", parent__isnull=False), code="code"
        ),
        "directory:person": lambda: kw(_first("directory.Person", user__username="nurse"),
                                       employee_id="employee_id"),
        "health:referral": lambda: kw(_first("health.Referral"), pk="pk"),
        "health:patient": lambda: kw(_first("health.Patient"), health_id="health_id"),
        "health:lab_result": lambda: kw(_first("health.LabResult"), pk="pk"),
        "consultations:detail": lambda: kw(_first("consultations.Appointment"), pk="pk"),
        "consultations:call": lambda: kw(_first("consultations.Appointment"), pk="pk"),
        "chat:room": lambda: user.is_authenticated and kw(
            _first("chat.Room", memberships__user=user), room_id="pk"
        ) or None,
        "calls:meeting": lambda: kw(_first("calls.Meeting", kind="meeting"), pk="pk"),
        "training:lesson": lambda: kw(_first("training.LessonPage"), lesson_id="pk"),
        "workflows:start": lambda: {"key": "leave-request"},
        "workflows:request": lambda: user.is_authenticated and kw(
            _first("workflows.Request", requester__user=user), pk="pk"
        ) or None,
        "notifications:history": lambda: user.is_authenticated and kw(
            _first("notifications.Notification", inbox_entries__user=user),
            notification_id="pk",
        ) or None,
        "training:unit_report": lambda: kw(_first("directory.OrgUnit", parent__isnull=True),
                                           unit_id="pk"),
        "workflows:verify": lambda: kw(_first("workflows.DecisionDocument"), code="code"),
    }


def route_urls(user) -> list[tuple[str, str]]:
    """(route name, path) of every page route for ``user``; raises for a route that has
    neither a sample nor a reason in NOT_PAGES."""
    samples = _samples(user)
    out, missing = [], []
    for route in routes():
        if not_a_page(route):
            continue
        if not route.has_parameters:
            out.append((route.name, reverse(route.name)))
        elif route.name in samples:
            kwargs = samples[route.name]()
            if kwargs is not None:
                out.append((route.name, reverse(route.name, kwargs=kwargs)))
        else:
            missing.append(f"{route.route} ({route.name})")
    if missing:
        raise AssertionError("routes with no sample and no reason in NOT_PAGES: " + ", ".join(
            missing
        ))
    return out


def admin_urls(role: str) -> list[tuple[str, str]]:
    """The admin screens people use every day, each once per language by the role whose
    everyday screen it is (every admin page for every role would double the crawl): the
    admin's Django admin, Wagtail dashboard, add-page chooser and workflow tasks; the
    knowledge editor's (the nurse's) page explorer of a space, the edit of an article, the
    pages in a workflow, documents, images and search."""
    from wagtail.models import Page

    from knowledge.models import ArticlePage, KnowledgeSpacePage

    if role == "admin":
        return [
            ("admin:index", reverse("admin:index")),
            ("admin:changelist", reverse("admin:workflows_definition_changelist")),
            ("cms:dashboard", reverse("wagtailadmin_home")),
            # the root: the one page with a choice of page types (below it, one type each,
            # and Wagtail goes straight to that type's form)
            ("cms:add_subpage", reverse("wagtailadmin_pages:add_subpage",
                                        args=[Page.get_first_root_node().pk])),
            ("cms:workflow_tasks", reverse("wagtailadmin_workflows:task_index")),
        ]
    if role != "nurse":
        return []
    space = KnowledgeSpacePage.objects.filter(slug="clinical-guidelines").order_by("pk").first()
    article = ArticlePage.objects.child_of(space).order_by("pk").first()
    return [
        ("cms:explorer", reverse("wagtailadmin_explore", args=[space.pk])),
        ("cms:edit", reverse("wagtailadmin_pages:edit", args=[article.pk])),
        ("cms:pages_in_workflow", reverse("wagtailadmin_reports:workflow")),
        ("cms:documents", reverse("wagtaildocs:index")),
        ("cms:images", reverse("wagtailimages:index")),
        ("cms:search", reverse("wagtailadmin_pages:search") + "?q=dehydration"),
    ]


def page_tree_urls() -> list[tuple[str, str]]:
    """One live page of each page type (and locale) of the Wagtail tree."""
    from wagtail.models import Page

    seen, out = set(), []
    for page in Page.objects.live().filter(depth__gt=1).select_related("locale").order_by("path"):
        key = (page.content_type_id, page.locale.language_code)
        url = page.get_url()
        if key in seen or not url or page.specific_class is Page:
            continue
        seen.add(key)
        out.append((f"page:{page.specific_class.__name__}:{page.locale.language_code}", url))
    return out
