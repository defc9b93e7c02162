"""Question banks (Wagtail snippets). Correct answers never leave the server before
submission: templates and the API render questions through selectors that omit them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable


class QuestionBank(models.Model):
    title = models.CharField(_("title"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("title"), FieldPanel("description")]

    class Meta:
        ordering = ["title"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self) -> str:
        return self.title


class Question(ClusterableModel):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True / false")
        SHORT = "short", _("Short answer")
        NUMERIC = "numeric", _("Numeric")
        ORDERING = "ordering", _("Ordering")
        MATCHING = "matching", _("Matching")

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("bank"), on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    prompt = models.TextField(_("question"))
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    true_false_answer = models.BooleanField(
        _("answer (true/false questions)"), null=True, blank=True
    )
    numeric_answer = models.DecimalField(
        _("answer (numeric questions)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    numeric_tolerance = models.DecimalField(
        _("tolerance (±)"), max_digits=14, decimal_places=4, default=0
    )
    feedback_correct = models.TextField(_("feedback when correct"), blank=True)
    feedback_incorrect = models.TextField(_("feedback when incorrect"), blank=True)

    panels = [
        FieldPanel("bank"),
        FieldPanel("kind"),
        FieldPanel("prompt"),
        FieldPanel("points"),
        MultiFieldPanel(
            [
                FieldPanel("true_false_answer"),
                FieldPanel("numeric_answer"),
                FieldPanel("numeric_tolerance"),
            ],
            heading=_("Answer (true/false and numeric questions)"),
        ),
        InlinePanel(
            "choices",
            heading=_("Choices"),
            help_text=_(
                "Choice questions: tick the correct ones. Short answer: each choice is an "
                "accepted answer. Ordering: list them in the correct order. Matching: the "
                "text is matched with its pair."
            ),
        ),
        FieldPanel("feedback_correct"),
        FieldPanel("feedback_incorrect"),
    ]

    class Meta:
        ordering = ["bank", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.prompt[:80]

    def clean(self) -> None:
        if self.kind == self.Kind.TRUE_FALSE and self.true_false_answer is None:
            raise ValidationError({"true_false_answer": _("Say whether the statement is true.")})
        if self.kind == self.Kind.NUMERIC and self.numeric_answer is None:
            raise ValidationError({"numeric_answer": _("A numeric question needs its answer.")})


class Choice(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("text"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    match_text = models.CharField(
        _("matching pair"), max_length=500, blank=True, help_text=_("Matching questions only.")
    )
    feedback = models.CharField(_("feedback if chosen"), max_length=500, blank=True)

    panels = [
        FieldPanel("text"),
        FieldPanel("is_correct"),
        FieldPanel("match_text"),
        FieldPanel("feedback"),
    ]

    def __str__(self) -> str:
        return self.text
