"""Writes of the knowledge base: tree set-up, subscriptions, feedback, reminders, workflow."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail.models import Locale, Page, Site, Workflow, WorkflowPage, WorkflowTask

from collab.core import clock
from collab.core.formatting import when
from collab.notifications.services import Text, emit
from knowledge import models as m
from knowledge import rendering, selectors, visibility

INDEX_SLUG = "knowledge"
WORKFLOW_NAME = "Knowledge review"
REVIEWER_TAG = "knowledge-reviewer"
APPROVER_TAG = "knowledge-approver"
COMMENT_MAX = 2000


def _publish(page: Page, user=None) -> None:
    page.save_revision(user=user, log_action=False).publish(user=user, log_action=False)


def ensure_tree() -> m.KnowledgeIndexPage:
    """Make sure the site, both locales, /knowledge/ (en + km) and the review workflow exist.

    Idempotent; runs after every migrate (so a fresh or flushed database works).
    """
    en, _c = Locale.objects.get_or_create(language_code="en")
    km, _c = Locale.objects.get_or_create(language_code="km")
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        root = Page.get_first_root_node()
        if root is None:
            root = Page.add_root(instance=Page(title="Root", slug="root", locale=en))
        home = root.get_children().filter(locale=en).first() or root.add_child(
            instance=Page(title="Welcome", slug="home", locale=en)
        )
        site = Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Sahakar"
        )
    home = site.root_page
    index = m.KnowledgeIndexPage.objects.child_of(home).filter(slug=INDEX_SLUG).first()
    if index is None:
        index = home.add_child(
            instance=m.KnowledgeIndexPage(
                title="Knowledge base", slug=INDEX_SLUG, locale=home.locale, live=False
            )
        )
        _publish(index)
    km_index = index.get_translation_or_none(km)
    if km_index is None:
        km_index = index.copy_for_translation(km, copy_parents=True)
        km_index.title = "មូលដ្ឋានចំណេះដឹង"
        km_index.save()
        _publish(km_index)
    ensure_workflow(pages=[index, km_index])
    return index


def ensure_workflow(*, pages) -> Workflow:
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        steps = [
            ("Technical review", REVIEWER_TAG),
            ("Approval", APPROVER_TAG),
        ]
        for order, (name, tag) in enumerate(steps):
            task = m.PositionApprovalTask.objects.create(name=name, role_tag=tag)
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    for page in pages:
        WorkflowPage.objects.get_or_create(page=page, defaults={"workflow": workflow})
    return workflow


def purge_page_cache(*, page) -> None:
    cache.delete_many([rendering.body_cache_key(page.pk, lang) for lang in ("en", "km")])


# --- subscriptions -------------------------------------------------------------------------


def subscribe(*, user, space: m.KnowledgeSpacePage) -> m.SpaceSubscription:
    if not visibility.can_view_page(user=user, page=space):
        raise PermissionDenied
    sub, _created = m.SpaceSubscription.objects.get_or_create(user=user, space=space)
    return sub


def unsubscribe(*, user, space: m.KnowledgeSpacePage) -> None:
    m.SpaceSubscription.objects.filter(
        user=user, space__translation_key=space.translation_key
    ).delete()


@transaction.atomic
def notify_page_published(*, page: m.ArticlePage, revision_id: int | None) -> int:
    """Tell the space's subscribers (only those who may read the page); returns how many."""
    space = page.space
    if space is None:
        return 0
    subs = m.SpaceSubscription.objects.filter(
        space__translation_key=space.translation_key
    ).select_related("user", "user__person")
    people = []
    for sub in subs:
        person = getattr(sub.user, "person", None)
        if person is None or not person.active:
            continue
        if visibility.can_view_page(user=sub.user, page=page):
            people.append(person)
    if not people:
        return 0
    people = list(dict.fromkeys(people))
    first = page.first_published_at is None or page.first_published_at == page.last_published_at
    emit(
        event_type="knowledge.page_published",
        event_key=f"knowledge.page_published:{page.pk}:{revision_id}",
        org_unit=space.unit,
        people=people,
        message=Text(
            _lazy("New in %(space)s: %(title)s")
            if first
            else _lazy("Updated in %(space)s: %(title)s"),
            space=space.title,
            title=page.title,
        ),
        url=page.url or "",
    )
    return len(people)


# --- feedback ------------------------------------------------------------------------------


@transaction.atomic
def record_feedback(*, user, page: m.ArticlePage, helpful: bool, comment: str = "") -> m.Feedback:
    if not visibility.can_view_page(user=user, page=page):
        raise PermissionDenied
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {
                "comment": _("The comment is too long (%(n)d characters, at most %(max)d).")
                % {"n": len(comment), "max": COMMENT_MAX}
            }
        )
    feedback = m.Feedback.objects.create(
        page=page, user=user if user.is_authenticated else None, helpful=helpful, comment=comment
    )
    owners = selectors.owner_people(page=page)
    if owners:
        emit(
            event_type="knowledge.feedback",
            event_key=f"knowledge.feedback:{feedback.pk}",
            org_unit=page.owner_position.unit,
            people=owners,
            message=_feedback_message(title=page.title, helpful=helpful, comment=comment),
            url=page.url or "",
        )
    return feedback


def _feedback_message(*, title: str, helpful: bool, comment: str) -> Text:
    if comment:
        text = (
            _lazy("Feedback on “%(title)s”: helpful — %(comment)s")
            if helpful
            else _lazy("Feedback on “%(title)s”: not helpful — %(comment)s")
        )
        return Text(text, title=title, comment=comment[:200])
    text = (
        _lazy("Feedback on “%(title)s”: helpful")
        if helpful
        else _lazy("Feedback on “%(title)s”: not helpful")
    )
    return Text(text, title=title)


# --- review reminders ----------------------------------------------------------------------

REMINDER_OFFSETS = [
    (m.ReviewReminder.Kind.DUE, 0),
    (m.ReviewReminder.Kind.DAYS_7, 7),
    (m.ReviewReminder.Kind.DAYS_30, 30),
]


def _due_kind(review_date: date, today: date):
    """The most urgent reminder whose day has come (earlier, skipped ones are not sent)."""
    for kind, days in REMINDER_OFFSETS:
        if today >= review_date - timedelta(days=days):
            return kind
    return None


def send_review_reminders(*, today: date | None = None) -> int:
    """Send each owner the 30-day, 7-day and due-date reminders, each exactly once."""
    today = today or clock.now().date()
    horizon = today + timedelta(days=30)
    sent = 0
    default_locale = Locale.get_default().pk
    pages = sorted(
        m.ArticlePage.objects.live()
        .filter(review_date__isnull=False, review_date__lte=horizon)
        .select_related("owner_position__unit", "owner_position__holder")
        .select_related("owner_position__acting_holder"),
        key=lambda p: (p.locale_id != default_locale, p.pk),
    )
    seen: set = set()
    for page in pages:
        # One article in two languages is one review: remind once, through one version.
        if page.translation_key in seen:
            continue
        seen.add(page.translation_key)
        kind = _due_kind(page.review_date, today)
        if kind is None:
            continue
        with transaction.atomic():
            _obj, created = m.ReviewReminder.objects.get_or_create(
                page=page,
                review_date=page.review_date,
                kind=kind,
                defaults={"sent_at": clock.now()},
            )
            if not created:
                continue
            owners = selectors.owner_people(page=page)
            if owners:
                emit(
                    event_type="knowledge.review_due",
                    event_key=f"knowledge.review_due:{page.pk}:{page.review_date}:{kind}",
                    org_unit=page.owner_position.unit,
                    people=owners,
                    message=_review_message(page=page, kind=kind),
                    url=f"/cms/pages/{page.pk}/edit/",
                )
            sent += 1
    return sent


def _review_message(*, page, kind) -> Text:
    if kind == m.ReviewReminder.Kind.DUE:
        text = _lazy("“%(title)s” is due for review today (%(date)s).")
    elif kind == m.ReviewReminder.Kind.DAYS_7:
        text = _lazy("“%(title)s” is due for review in 7 days (%(date)s).")
    else:
        text = _lazy("“%(title)s” is due for review in 30 days (%(date)s).")
    review_date = page.review_date
    return Text(text, title=page.title, date=lambda: when(review_date, "date"))


# --- workflow ------------------------------------------------------------------------------


@transaction.atomic
def notify_task_waiting(*, task_state) -> int:
    task = task_state.task.specific
    if not isinstance(task, m.PositionApprovalTask):
        return 0
    page = task_state.workflow_state.content_object.specific
    draft = task_state.revision.as_object() if task_state.revision_id else page
    people = selectors.approvers_for(task=task, page=page)
    if not people:
        return 0
    space = getattr(page, "space", None)
    emit(
        event_type="knowledge.approval_waiting",
        event_key=f"knowledge.approval_waiting:{task_state.pk}",
        org_unit=space.unit if space else None,
        people=people,
        message=Text(_lazy("“%(title)s” waits for you: %(step)s"), title=draft.title,
                     step=task.name),
        url=f"/cms/pages/{page.pk}/edit/",
    )
    return len(people)


def act_on_task(*, page, user, action: str, comment: str = "") -> None:
    """Approve or reject the page's current workflow step as ``user`` (who must be entitled)."""
    if action not in ("approve", "reject"):
        raise ValidationError({"action": _("Unknown action.")})
    task_state = page.current_workflow_task_state
    if task_state is None:
        raise ValidationError({"action": _("This page is not waiting for a review.")})
    task = task_state.task.specific
    if not any(name == action for name, _label, _more in task.get_actions(page, user)):
        raise PermissionDenied
    task.on_action(task_state, user, action, comment=comment)
