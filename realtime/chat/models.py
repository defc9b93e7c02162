from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Room(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("Public channel")
        PRIVATE = "private", _("Private channel")
        DM = "dm", _("Direct message")
        GROUP = "group", _("Group direct message")
        UNIT = "unit", _("Org-unit channel")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    topic = models.CharField(_("topic"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Sorted member ids ("3:17") so the same people always get the same DM room.
    dm_key = models.CharField(max_length=400, null=True, blank=True, unique=True, editable=False)
    org_unit = models.OneToOneField(
        "directory.OrgUnit",
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="chat_room",
    )
    include_subunits = models.BooleanField(
        _("include sub-units"),
        default=False,
        help_text=_("Org-unit channels only: also people of every unit below this one."),
    )
    archived = models.BooleanField(_("archived"), default=False)
    retention_days = models.PositiveIntegerField(
        _("retention (days)"),
        null=True,
        blank=True,
        help_text=_("Messages older than this are deleted with their files. Empty: keep."),
    )
    legal_hold = models.BooleanField(
        _("legal hold"), default=False, help_text=_("Suspends retention: nothing is deleted.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("chat room")
        verbose_name_plural = _("chat rooms")

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} #{self.pk}"

    @property
    def stream(self) -> str:
        return f"chat.room.{self.pk}"

    @property
    def is_direct(self) -> bool:
        return self.kind in (self.Kind.DM, self.Kind.GROUP)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MODERATOR = "moderator", _("Moderator")
        MEMBER = "member", _("Member")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    # Id of the last message this member has read; unread = later messages by others.
    last_read_id = models.BigIntegerField(_("last read message"), default=0)
    muted = models.BooleanField(_("muted"), default=False)
    # Added by the directory sync (org-unit channels); the sync removes only these.
    via_unit = models.BooleanField(_("from the directory"), default=False)
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="chat_membership_unique")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} in {self.room} ({self.role})"

    @property
    def can_moderate(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.MODERATOR)


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    client_id = models.CharField(max_length=64)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    thread = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    mentions = models.JSONField(default=list, blank=True)  # usernames
    mentions_room = models.BooleanField(default=False)
    seq = models.BigIntegerField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    edited = models.DateTimeField(null=True, blank=True)
    deleted = models.DateTimeField(null=True, blank=True)
    pinned_at = models.DateTimeField(null=True, blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "client_id"], name="chat_message_client_id")
        ]
        indexes = [
            models.Index(fields=["room", "thread", "id"]),
            models.Index(fields=["room", "id"]),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"#{self.pk} in {self.room_id}"


class MessageEdit(models.Model):
    """A previous version of a message's body."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="edits")
    body = models.TextField()
    edited = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("message edit")
        verbose_name_plural = _("message edits")

    def __str__(self) -> str:
        return f"edit of #{self.message_id} at {self.edited:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=32)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "user", "emoji"], name="chat_reaction_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.emoji} on #{self.message_id}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    return f"chat/{instance.room_id}/{filename}"


class Attachment(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    thumbnail = models.FileField(upload_to=_attachment_path, max_length=300, blank=True)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
