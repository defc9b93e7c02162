import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="km"
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


class PersonalToken(models.Model):
    """A personal token; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("personal API token")
        verbose_name_plural = _("personal API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "sk_" + secrets.token_urlsafe(32)


class AccountEvent(models.Model):
    """One row of the account audit log (``collab.accounts.audit.record`` writes them)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("sign-in")
        LOGOUT = "logout", _("sign-out")
        MFA_ENROLLED = "mfa_enrolled", _("second factor enrolled")
        MFA_RESET = "mfa_reset", _("second factor reset")
        INVITED = "invited", _("invitation sent")
        PASSWORD_RESET = "password_reset", _("password reset")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        DEACTIVATED = "deactivated", _("deactivated")
        PROVISIONED = "provisioned", _("provisioned")
        SESSION_ENDED = "session_ended", _("session ended")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")

    class Method(models.TextChoices):
        SSO = "sso", _("single sign-on")
        PASSWORD = "password", _("password")
        PASSKEY = "passkey", _("passkey")
        TOTP = "totp", _("authenticator app")
        RECOVERY_CODE = "recovery_code", _("recovery code")
        SCIM = "scim", _("SCIM")
        IMPORT = "import", _("directory import")
        ADMIN = "admin", _("administrator")

    at = models.DateTimeField(_("when"), db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account_events",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    method = models.CharField(_("method"), max_length=32, choices=Method.choices, blank=True)
    success = models.BooleanField(_("success"), default=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"


class OneTimeLink(models.Model):
    """An emailed link to choose a password: an invitation (7 days) or a password reset
    (1 hour). Single use; sending a new one of the same kind kills the older ones. The
    secret in the link is an HMAC of ``nonce`` under SECRET_KEY, so a database copy alone
    cannot forge one, and the worker can rebuild the same link when it retries an email."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        PASSWORD_RESET = "password_reset", _("password reset")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_links"
    )
    nonce = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("one-time link")
        verbose_name_plural = _("one-time links")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.user} {self.created_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_hex(32)


class SessionRecord(models.Model):
    """What the profile's "signed-in devices" list shows about one session."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_records"
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("signed in"))
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("signed-in device")
        verbose_name_plural = _("signed-in devices")
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.user} {self.ip} {self.last_seen:%Y-%m-%d %H:%M}"

    @property
    def browser(self) -> str:
        """"Chrome · Android" from the user agent: enough to recognise one's own devices."""
        agent = self.user_agent
        name = next((n for token, n in BROWSERS if token in agent), "")
        system = next((n for token, n in SYSTEMS if token in agent), "")
        return " · ".join(p for p in (name, system) if p) or agent[:60]


BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"))  # fmt: skip
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux"))  # fmt: skip


class PasswordResetRequest(models.Model):
    """One request for a reset link, known address or not: what the hourly limits count."""

    at = models.DateTimeField(db_index=True)
    address_digest = models.CharField(max_length=64, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.ip}"


class Passkey(models.Model):
    """A WebAuthn credential (a passkey or a security key): signs in without a password, or
    serves as the second factor after one. Only its public key is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys"
    )
    name = models.CharField(_("name"), max_length=100)
    credential_id = models.BinaryField(max_length=1023, unique=True, editable=False)
    public_key = models.BinaryField(editable=False)
    sign_count = models.PositiveBigIntegerField(default=0, editable=False)
    transports = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("added"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"
