import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from collab.core import clock

CODE_RE = re.compile(r"[A-Za-z0-9._-]+")
TAG_RE = re.compile(r"[a-z0-9][a-z0-9_:.-]*")


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        DEPARTMENT = "department", _("Department")
        PROVINCIAL_HEALTH_DEPARTMENT = "phd", _("Provincial health department")
        OPERATIONAL_DISTRICT = "od", _("Operational district")
        REFERRAL_HOSPITAL = "hospital", _("Referral hospital")
        HEALTH_CENTRE = "health_centre", _("Health centre")
        OFFICE = "office", _("Office")

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_km = models.CharField(_("name (Khmer)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path "/CODE1/CODE2/.../": descendants are one indexed prefix query.
    path = models.CharField(max_length=1000, db_index=True, editable=False)
    province_code = models.CharField(_("province code"), max_length=8, blank=True)
    district_code = models.CharField(_("district code"), max_length=8, blank=True)
    commune_code = models.CharField(_("commune code"), max_length=8, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")

    def __str__(self) -> str:
        return f"{self.name_en} ({self.code})"

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                child.path = self.path + child.path[len(old_path) :]
                OrgUnit.objects.filter(pk=child.pk).update(path=child.path)

    def clean(self):
        super().clean()
        if self.code and not CODE_RE.fullmatch(self.code):
            raise ValidationError(
                {"code": _("Use letters, digits, dots, dashes and underscores only.")}
            )
        if self.parent_id and self.pk:
            if self.parent_id == self.pk or self.parent.path.startswith(self.path or "\0"):
                raise ValidationError(
                    {"parent": _("A unit cannot be placed under itself or one of its own units.")}
                )

    def name(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        return (
            self.name_km if (language or get_language() or "en").startswith("km") else self.name_en
        )

    def ancestors(self) -> list["OrgUnit"]:
        """Ancestors nearest first (parent, grandparent, ... root)."""
        codes = [c for c in self.path.strip("/").split("/")][:-1]
        by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
        return [by_code[c] for c in reversed(codes) if c in by_code]

    def descendants(self, include_self: bool = False) -> models.QuerySet["OrgUnit"]:
        qs = OrgUnit.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)


def person_search_text(
    family_km: str, given_km: str, family_en: str, given_en: str, employee_id: str
) -> str:
    return (
        f"{family_km} {given_km} {family_km}{given_km} {family_en} {given_en} {employee_id}".lower()
    )


class Person(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    employee_id = models.CharField(_("employee id"), max_length=32, unique=True)
    family_name_km = models.CharField(_("family name (Khmer)"), max_length=100, blank=True)
    given_name_km = models.CharField(_("given name (Khmer)"), max_length=100, blank=True)
    family_name_en = models.CharField(_("family name (Latin)"), max_length=100)
    given_name_en = models.CharField(_("given name (Latin)"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    photo = models.ImageField(_("photo"), upload_to="people/", blank=True)
    languages = models.CharField(
        _("languages"), max_length=100, blank=True, help_text=_("Comma-separated, e.g. km,en")
    )
    active = models.BooleanField(_("active"), default=True)
    # Lower-cased names (Khmer also joined without a space) and employee id in one column,
    # so a name search scans one field (5x faster than OR-ing the fields over 300,000
    # people). Kept up to date by save() and by import_directory.
    search_text = models.TextField(default="", blank=True, editable=False)

    class Meta:
        ordering = ["family_name_en", "given_name_en"]
        indexes = [models.Index(Lower("email"), name="directory_person_email_lower")]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name_en

    def save(self, *args, **kwargs):
        self.search_text = person_search_text(
            self.family_name_km, self.given_name_km, self.family_name_en, self.given_name_en,
            self.employee_id,
        )  # fmt: skip
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def name_en(self) -> str:
        return f"{self.family_name_en} {self.given_name_en}".strip()

    @property
    def name_km(self) -> str:
        return f"{self.family_name_km} {self.given_name_km}".strip()

    def name(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        lang = language or get_language() or "en"
        return (self.name_km or self.name_en) if lang.startswith("km") else self.name_en


class Position(models.Model):
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="positions"
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_km = models.CharField(_("title (Khmer)"), max_length=200, blank=True)
    holder = models.ForeignKey(
        Person,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )
    acting_holder = models.ForeignKey(
        Person,
        verbose_name=_("acting holder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="acting_positions",
    )
    acting_from = models.DateTimeField(_("acting from"), null=True, blank=True)
    acting_until = models.DateTimeField(_("acting until"), null=True, blank=True)
    # Space-separated, stored with surrounding spaces (" approver unit-head ") so one
    # portable `contains " tag "` query finds a tag on SQLite and PostgreSQL alike.
    role_tags = models.CharField(
        _("role tags"),
        max_length=500,
        blank=True,
        help_text=_("Space-separated, e.g. approver unit-head specialist:paediatrics"),
    )

    # Set by import_directory: the post a person holds according to the HR file. When the
    # file moves them elsewhere this post is vacated (its tags stay with the post).
    imported = models.BooleanField(_("from the HR import"), default=False, editable=False)

    class Meta:
        ordering = ["unit__path", "title_en"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return f"{self.title_en} — {self.unit.code}"

    def save(self, *args, **kwargs):
        tags = self.tags
        self.role_tags = f" {' '.join(tags)} " if tags else ""
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        bad = [t for t in self.tags if not TAG_RE.fullmatch(t)]
        if bad:
            errors["role_tags"] = _(
                "Invalid tag(s): %(tags)s. Use lower-case letters, digits and : - _ ."
            ) % {"tags": ", ".join(bad)}
        if self.acting_from and self.acting_until and self.acting_until <= self.acting_from:
            errors["acting_until"] = _("The acting period must end after it starts.")
        if (self.acting_from or self.acting_until) and not self.acting_holder_id:
            errors["acting_holder"] = _("Acting dates need an acting holder.")
        if self.acting_holder_id and self.acting_holder_id == self.holder_id:
            errors["acting_holder"] = _("The acting holder cannot be the holder.")
        if errors:
            raise ValidationError(errors)

    @property
    def tags(self) -> list[str]:
        return [t for t in self.role_tags.split() if t]

    @property
    def is_vacant(self) -> bool:
        return self.holder_id is None

    def title(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        lang = language or get_language() or "en"
        return (self.title_km or self.title_en) if lang.startswith("km") else self.title_en

    def acting_at(self, at=None) -> bool:
        at = at or clock.now()
        return bool(
            self.acting_holder_id
            and (self.acting_from is None or self.acting_from <= at)
            and (self.acting_until is None or at < self.acting_until)
        )


class OnCallShift(models.Model):
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="shifts"
    )
    specialty = models.CharField(_("specialty"), max_length=64, help_text=_("e.g. paediatrics"))
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["unit", "specialty", "starts_at"])]
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call shifts")

    def __str__(self) -> str:
        return f"{self.specialty} @ {self.unit.code}: {self.person} {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A shift must end after it starts.")})
        if self.specialty and not TAG_RE.fullmatch(self.specialty):
            raise ValidationError(
                {"specialty": _("Use lower-case letters, digits and - _ (e.g. paediatrics).")}
            )
