"""Who learns what: enrolments, lesson views, quiz attempts, assignments, certificates."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Assignment(models.Model):
    """A course given by a manager/HR to a unit (and its descendants), a role tag or a person.

    The people it reaches get an Enrolment; ``services.sync_assignment`` adds newcomers."""

    course = models.ForeignKey(
        "training.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    unit = models.ForeignKey(
        "directory.OrgUnit",
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_assignments",
    )
    include_descendants = models.BooleanField(_("include sub-units"), default=True)
    role_tag = models.CharField(
        _("role tag"),
        max_length=64,
        blank=True,
        help_text=_("Positions with this tag (within the unit, if one is given)."),
    )
    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_assignments",
    )
    due_date = models.DateField(_("due date"))
    mandatory = models.BooleanField(_("mandatory"), default=True)
    newcomer_days = models.PositiveSmallIntegerField(
        _("days given to newcomers"),
        default=30,
        help_text=_(
            "Someone who joins later is due this many days after joining, "
            "or on the due date if that is later."
        ),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        permissions = [
            ("view_training_report", _("Can assign courses and see training reports of every unit"))
        ]

    def __str__(self) -> str:
        target = self.person or self.unit or ""
        tag = f" [{self.role_tag}]" if self.role_tag else ""
        return f"{self.course.title} → {target}{tag}"


class Enrolment(models.Model):
    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNED = "assigned", _("Assigned")

    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    course = models.ForeignKey(
        "training.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=False)
    enrolled_at = models.DateTimeField(_("enrolled"))
    # Attempts before this moment belong to an earlier certification (renewal).
    cycle_started_at = models.DateTimeField(_("current cycle started"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "course__title"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], name="training_one_enrolment")
        ]
        indexes = [models.Index(fields=["completed_at", "due_date"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.course.title}"


class LessonView(models.Model):
    person = models.ForeignKey(
        "directory.Person", on_delete=models.CASCADE, related_name="lesson_views"
    )
    lesson = models.ForeignKey(
        "training.LessonPage", on_delete=models.CASCADE, related_name="views"
    )
    first_viewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "lesson"], name="training_one_lesson_view")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} read {self.lesson_id}"


class Attempt(models.Model):
    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
    )
    quiz = models.ForeignKey(
        "training.QuizPage",
        verbose_name=_("quiz"),
        on_delete=models.CASCADE,
        related_name="attempts",
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    timed_out = models.BooleanField(_("timed out"), default=False)
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["person", "quiz", "started_at"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        indexes = [models.Index(fields=["person", "quiz", "started_at"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.quiz.title} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class AttemptAnswer(models.Model):
    """One drawn question of an attempt, saved as soon as the trainee answers it."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("training.Question", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    # Choice ids in the order this trainee sees them (shuffled once, stable on resume).
    choice_order = models.JSONField(default=list)
    response = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    points = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    correct = models.BooleanField(null=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="training_one_answer_per_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"


class Reminder(models.Model):
    """A reminder sent once: the key is also the notification's idempotent event_key."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField(max_length=120, unique=True)
    event_type = models.CharField(max_length=40)
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class Certificate(models.Model):
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    course = models.ForeignKey(
        "training.CoursePage",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # What the certificate says, frozen at issue (names and titles may change later).
    name_km = models.CharField(_("name (Khmer)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (Latin)"), max_length=200)
    course_title = models.CharField(_("course title"), max_length=255)
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.code} — {self.name_en} — {self.course_title}"
