"""The course tree in Wagtail: training index → course → module → lesson / quiz."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Orderable, Page

from ..blocks import LESSON_BLOCKS


class TrainingIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["training.CoursePage"]

    class Meta:
        verbose_name = _("training index")

    def primary(self) -> "TrainingIndexPage":
        """The index in the default locale: the one that holds the courses."""
        default = Locale.get_default()
        if self.locale_id == default.pk:
            return self
        return self.get_translation_or_none(default) or self

    def route(self, request, path_components):
        # Wagtail routes from the home page of the active language. Courses are not split
        # by UI language (an assigned course is the same course in Khmer and English), so
        # the other locales' indexes route into the primary index's courses.
        primary = self.primary()
        if path_components and primary.pk != self.pk:
            return primary.specific.route(request, path_components)
        return super().route(request, path_components)


class CoursePage(Page):
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    intro = RichTextField(_("introduction"), blank=True)
    open_enrolment = models.BooleanField(
        _("open enrolment"),
        default=True,
        help_text=_("Anyone may enrol themselves. Otherwise only assigned people take it."),
    )
    prerequisites = ParentalManyToManyField(
        "self",
        verbose_name=_("prerequisites"),
        blank=True,
        symmetrical=False,
        related_name="required_by",
    )
    certificate_validity_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"),
        default=0,
        help_text=_("0: the certificate never expires. Otherwise it must be renewed."),
    )
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=30)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("open_enrolment"),
                FieldPanel("prerequisites"),
                FieldPanel("certificate_validity_months"),
                FieldPanel("estimated_minutes"),
            ],
            heading=_("Enrolment and certification"),
        ),
    ]
    parent_page_types = ["training.TrainingIndexPage"]
    subpage_types = ["training.ModulePage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")


class ModulePage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["training.CoursePage"]
    subpage_types = ["training.LessonPage", "training.QuizPage"]

    class Meta:
        verbose_name = _("module")


class LessonPage(Page):
    is_quiz = False
    body = StreamField(LESSON_BLOCKS, verbose_name=_("body"), blank=True)
    video = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("video file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Optional MP4/WebM; shown after the text, never loaded until played."),
    )

    content_panels = [*Page.content_panels, FieldPanel("body"), FieldPanel("video")]
    parent_page_types = ["training.ModulePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")

    def get_url_parts(self, request=None):
        # Links point at /learning/lessons/<id>/: one indexed lookup instead of Wagtail's
        # walk down the tree (a dozen queries), for the ≤ 10 ms lesson budget. The tree URL
        # still works (serve below).
        parts = super().get_url_parts(request)
        if parts is None:
            return None
        site_id, root_url, _path = parts
        return site_id, root_url, reverse("training:lesson", kwargs={"lesson_id": self.pk})

    def serve_preview(self, request, mode_name):
        from ..views.learning import lesson_preview

        return lesson_preview(request, lesson=self)


class QuizPage(Page):
    class Grading(models.TextChoices):
        HIGHEST = "highest", _("Highest attempt")
        LAST = "last", _("Last attempt")
        AVERAGE = "average", _("Average of attempts")

    is_quiz = True
    intro = RichTextField(_("instructions"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=70, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), default=0, help_text=_("0: no time limit.")
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempt limit"), default=3, help_text=_("0: unlimited attempts.")
    )
    grading = models.CharField(
        _("grading method"), max_length=10, choices=Grading.choices, default=Grading.HIGHEST
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("time_limit_minutes"),
                FieldPanel("max_attempts"),
                FieldPanel("grading"),
                FieldPanel("shuffle_questions"),
                FieldPanel("shuffle_choices"),
            ],
            heading=_("Rules"),
        ),
        InlinePanel("draws", heading=_("Questions drawn from banks"), min_num=1),
    ]
    parent_page_types = ["training.ModulePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")


class QuizBankDraw(Orderable):
    quiz = ParentalKey(QuizPage, on_delete=models.CASCADE, related_name="draws")
    bank = models.ForeignKey(
        "training.QuestionBank",
        verbose_name=_("question bank"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    count = models.PositiveSmallIntegerField(
        _("questions to draw"), default=0, help_text=_("0: every question of the bank.")
    )

    panels = [FieldPanel("bank"), FieldPanel("count")]

    def __str__(self) -> str:
        return f"{self.bank} × {self.count or 'all'}"
