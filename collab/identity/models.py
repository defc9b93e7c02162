from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalIdentity(models.Model):
    """A verified identity at an outside identity provider, linked to one login.

    Unique both ways: one (issuer, subject) reaches one login, and a login has at most one
    external identity, so two identities can never share a login.
    """

    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.CASCADE,
        related_name="external_identity",
    )
    linked = models.DateTimeField(_("linked"), auto_now_add=True)
    last_sign_in = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="identity_issuer_subject")
        ]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"


class ProviderSession(models.Model):
    """Which Sahakar session a provider session (``sid`` of the ID token) opened, so that
    a back-channel logout ends exactly that session."""

    issuer = models.CharField(max_length=300)
    sid = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=255)
    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_sessions"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["issuer", "sid"]),
            models.Index(fields=["issuer", "subject"]),
        ]

    def __str__(self) -> str:
        return f"{self.sid or self.subject} @ {self.issuer}"


class ScimRecord(models.Model):
    """SCIM bookkeeping of a directory person: the provider's externalId and version."""

    person = models.OneToOneField(
        "directory.Person", on_delete=models.CASCADE, related_name="scim_record"
    )
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [("provision_people", "Can provision people over SCIM")]

    def __str__(self) -> str:
        return f"SCIM {self.external_id or self.person_id}"
