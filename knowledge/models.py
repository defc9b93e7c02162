"""Knowledge base pages (Wagtail), subscriptions, feedback, review reminders and workflow tasks."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseForbidden
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page, PageViewRestriction, Task, TaskState

from knowledge import rendering, routing, selectors, visibility
from knowledge.blocks import ArticleBodyBlock
from knowledge.choosers import position_chooser_viewset


class KnowledgePage(Page):
    """Shared behaviour: our own view check (private spaces) and the reader's language."""

    class Meta:
        abstract = True

    # A page found by our route keeps its ancestry (and view restrictions) for the request.
    _routed_ancestry: list | None = None
    _routed_restrictions = None

    def serve(self, request, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login

        if self.in_private_space() and not visibility.can_view_page(user=request.user, page=self):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            return HttpResponseForbidden(
                _("This page is in a private space you are not a member of.")
            )
        return super().serve(request, *args, **kwargs)

    def remember_ancestry(self) -> None:
        self._routed_ancestry = routing.ancestry_of(page=self)

    def ancestry(self) -> list:
        """This page and its ancestors, root first, each with ``private``."""
        return self._routed_ancestry or routing.ancestry_of(page=self)

    def in_private_space(self) -> bool:
        return any(a.private for a in self.ancestry())

    def get_view_restrictions(self):
        # Wagtail's check (on_serve_page) and our response cache both ask: one query set,
        # from the ancestry we already have.
        if self._routed_ancestry is None:
            return super().get_view_restrictions()
        if self._routed_restrictions is None:
            self._routed_restrictions = PageViewRestriction.objects.filter(
                page_id__in=routing.restriction_page_ids(self._routed_ancestry)
            )
        return self._routed_restrictions

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["breadcrumbs"] = routing.breadcrumbs_for(page=self)
        context["language_note"] = self.language_note(request)
        return context

    def language_note(self, request) -> str:
        from django.utils.translation import get_language

        wanted = (get_language() or "en")[:2]
        if self.locale.language_code[:2] == wanted:
            return ""
        if wanted == "km":
            return _("This page is not available in Khmer yet; it is shown in English.")
        return _("This page is not available in English yet; it is shown in Khmer.")


class KnowledgeIndexPage(KnowledgePage):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["knowledge.KnowledgeSpacePage"]
    max_count_per_parent = 1
    template = "knowledge/index_page.html"

    class Meta:
        verbose_name = _("knowledge base")
        verbose_name_plural = _("knowledge bases")

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        from django.http import Http404
        from wagtail.url_routing import RouteResult

        page = routing.page_below(index=self, components=path_components)
        if page is None:
            raise Http404
        if isinstance(page, KnowledgePage):
            page.remember_ancestry()
        return RouteResult(page)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["spaces"] = selectors.spaces_for(user=request.user, index=self)
        context["recent"] = selectors.recently_updated(user=request.user, limit=10)
        return context


class KnowledgeSpacePage(KnowledgePage):
    intro = models.TextField(_("introduction"), blank=True)
    unit = models.ForeignKey(
        "directory.OrgUnit",
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Reviewers and approvers are looked up from this unit upwards."),
    )
    private = models.BooleanField(
        _("private"),
        default=False,
        help_text=_("Only members of the units or groups below may see this space."),
    )
    member_units = ParentalManyToManyField(
        "directory.OrgUnit",
        verbose_name=_("member units (with their sub-units)"),
        blank=True,
        related_name="+",
    )
    member_groups = ParentalManyToManyField(
        Group, verbose_name=_("member groups"), blank=True, related_name="+"
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("unit"),
        MultiFieldPanel(
            [FieldPanel("private"), FieldPanel("member_units"), FieldPanel("member_groups")],
            heading=_("Who may read"),
        ),
    ]
    parent_page_types = ["knowledge.KnowledgeIndexPage"]
    subpage_types = ["knowledge.ArticlePage"]
    template = "knowledge/space_page.html"

    class Meta:
        verbose_name = _("knowledge space")
        verbose_name_plural = _("knowledge spaces")
        permissions = [
            ("edit_spaces", _("Can add and edit pages in the knowledge spaces they may read"))
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = selectors.articles_in_space(space=self)
        context["subscribed"] = selectors.is_subscribed(user=request.user, space=self)
        return context


class SpaceEditorGroup(models.Model):
    """The group, kept by ``knowledge.permissions``, that holds the Wagtail page permissions
    of a private space: the editors who are members of the space."""

    space = models.OneToOneField(
        KnowledgeSpacePage, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("space editor group")
        verbose_name_plural = _("space editor groups")

    def __str__(self) -> str:
        return self.group.name


class SpaceCollection(models.Model):
    """The Wagtail collection of a space's documents and images, kept by
    ``knowledge.collections``: editors get the same collection grants as page grants."""

    space = models.OneToOneField(
        KnowledgeSpacePage, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("space collection")
        verbose_name_plural = _("space collections")

    def __str__(self) -> str:
        return self.collection.name


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "knowledge.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ArticleType(models.TextChoices):
    GUIDELINE = "guideline", _("Clinical guideline")
    POLICY = "policy", _("Policy")
    HOWTO = "howto", _("How-to")
    ANNOUNCEMENT = "announcement", _("Announcement")


class ArticlePage(KnowledgePage):
    article_type = models.CharField(
        _("article type"), max_length=20, choices=ArticleType.choices, default=ArticleType.HOWTO
    )
    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)
    owner_position = models.ForeignKey(
        "directory.Position",
        verbose_name=_("owner (position)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A position, not a person: ownership survives staff changes."),
    )
    review_date = models.DateField(_("next review date"), null=True, blank=True, db_index=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    audience = models.CharField(
        _("audience"), max_length=200, blank=True, help_text=_("e.g. Midwives, health centre staff")
    )
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("tags"))
    # Where an import came from ("<space slug>:<relative path>"): re-imports update it.
    source_key = models.CharField(max_length=500, blank=True, db_index=True, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("article_type"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    promote_panels = Page.promote_panels + [
        MultiFieldPanel(
            [
                FieldPanel("owner_position", widget=position_chooser_viewset.widget_class),
                FieldPanel("review_date"),
                FieldPanel("last_reviewed"),
                FieldPanel("audience"),
                FieldPanel("tags"),
            ],
            heading=_("Ownership and review"),
        )
    ]
    parent_page_types = ["knowledge.KnowledgeSpacePage", "knowledge.ArticlePage"]
    subpage_types = ["knowledge.ArticlePage"]
    template = "knowledge/article_page.html"

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # Offer the response to the response cache (knowledge.middleware), unless a Wagtail
        # view restriction (password, login, groups) guards it: those stay uncached.
        if not getattr(request, "is_preview", False) and not self.get_view_restrictions().exists():
            request.knowledge_cacheable_page = self
        return response

    def is_overdue(self, today: date | None = None) -> bool:
        from collab.core import clock

        today = today or clock.now().date()
        return bool(self.review_date and self.review_date < today)

    @property
    def space(self) -> KnowledgeSpacePage | None:
        return KnowledgeSpacePage.objects.ancestor_of(self).order_by("-depth").first()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # A preview shows a draft: never from (nor into) the live page's cache.
        context["body"] = rendering.rendered_body(
            page=self, use_cache=not getattr(request, "is_preview", False)
        )
        context["tags"] = tags = list(self.tags.all())
        context["related"] = selectors.related_articles(user=request.user, page=self, tags=tags)
        context["overdue"] = self.is_overdue()
        return context


class SpaceSubscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge_subscriptions"
    )
    space = models.ForeignKey(KnowledgeSpacePage, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "space"], name="knowledge_one_subscription")
        ]
        verbose_name = _("space subscription")
        verbose_name_plural = _("space subscriptions")

    def __str__(self) -> str:
        return f"{self.user} → {self.space}"


class Feedback(models.Model):
    page = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.page_id}: {'+' if self.helpful else '-'}"


class ReviewReminder(models.Model):
    """One row per reminder sent: the periodic job never sends the same reminder twice."""

    class Kind(models.TextChoices):
        DAYS_30 = "30d", _("30 days before")
        DAYS_7 = "7d", _("7 days before")
        DUE = "due", _("on the review date")

    page = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="+")
    review_date = models.DateField()
    kind = models.CharField(max_length=4, choices=Kind.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "review_date", "kind"], name="knowledge_one_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.page_id} {self.review_date} {self.kind}"


class PositionApprovalTask(Task):
    """A workflow step approved by whoever must act for a role tag in the space's unit.

    The directory decides who that is (acting holder over holder, walking up the units),
    so an approval never waits for someone on leave.
    """

    role_tag = models.CharField(
        _("role tag"),
        max_length=64,
        help_text=_("Positions with this role tag approve, e.g. knowledge-reviewer"),
    )

    admin_form_fields = Task.admin_form_fields + ["role_tag"]

    class Meta:
        verbose_name = _("position approval task")
        verbose_name_plural = _("position approval tasks")

    def may_act(self, obj, user) -> bool:
        if not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        person = getattr(user, "person", None)
        # An approver found above the space's unit is not always a member of a private
        # space: the editor (and the task list) stay closed to them.
        return (
            person is not None
            and visibility.can_view_page(user=user, page=obj)
            and person in selectors.approvers_for(task=self, page=obj)
        )

    def user_can_access_editor(self, obj, user):
        return self.may_act(obj, user)

    def locked_for_user(self, obj, user):
        return not self.may_act(obj, user)

    def user_can_lock(self, obj, user):
        return self.may_act(obj, user)

    def get_actions(self, obj, user):
        if self.may_act(obj, user):
            return [
                ("reject", _("Request changes"), True),
                ("approve", _("Approve"), False),
                ("approve", _("Approve with comment"), True),
            ]
        return []

    def on_action(self, task_state, user, action_name, **kwargs):
        if not self.may_act(task_state.workflow_state.content_object, user):
            raise PermissionDenied
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        keep = [s.pk for s in states if self.may_act(s.workflow_state.content_object, user)]
        return TaskState.objects.filter(pk__in=keep)

    @classmethod
    def get_description(cls):
        return _("Whoever holds (or acts in) a position with the role tag approves")
