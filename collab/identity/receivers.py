"""Whatever deactivates a person ends their access: the directory import and SCIM call
``deactivate_people`` (which sends ``people_deactivated``); the admin saves a Person with
``active`` off or a login with ``is_active`` off, caught here."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from collab.accounts import audit
from collab.accounts.models import AccountEvent
from collab.directory.models import Person
from collab.directory.services import deactivate_people
from collab.directory.signals import people_deactivated
from realtime.services import close_sockets

from . import services
from .models import ProviderSession
from .views import ID_TOKEN_KEY


@receiver(people_deactivated, dispatch_uid="identity-people-deactivated")
def on_people_deactivated(sender, person_ids, method="import", **kwargs) -> None:
    user_ids = set(
        # Superusers keep their login (as deactivate_people does): no lock-out of everyone.
        Person.objects.filter(
            pk__in=person_ids, user__isnull=False, user__is_superuser=False
        ).values_list(
            "user_id", flat=True
        )
    )
    if user_ids:
        services.end_access(user_ids=user_ids, method=method)


def _was_active(sender, instance, field: str) -> None:
    instance._identity_was_active = (
        bool(instance.pk)
        and sender.objects.filter(pk=instance.pk, **{field: True}).exists()
    )


@receiver(pre_save, sender=Person, dispatch_uid="identity-person-pre-save")
def remember_person_active(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _was_active(sender, instance, "active")


@receiver(post_save, sender=Person, dispatch_uid="identity-person-post-save")
def person_switched_off(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.active or not getattr(instance, "_identity_was_active", False):
        return
    transaction.on_commit(
        lambda: deactivate_people(person_ids=[instance.pk], method=AccountEvent.Method.ADMIN)
    )


@receiver(pre_save, sender=get_user_model(), dispatch_uid="identity-user-pre-save")
def remember_user_active(sender, instance, raw=False, **kwargs) -> None:
    if not raw and not instance.is_active:
        _was_active(sender, instance, "is_active")


@receiver(post_save, sender=get_user_model(), dispatch_uid="identity-user-post-save")
def login_switched_off(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.is_active or not getattr(instance, "_identity_was_active", False):
        return
    transaction.on_commit(
        lambda: services.deactivate_login(user=instance, method=AccountEvent.Method.ADMIN)
    )


@receiver(user_logged_out, dispatch_uid="identity-logged-out")
def before_logout(sender, request, user, **kwargs) -> None:
    """Runs before the session is flushed: close this session's sockets and, for a
    single-sign-on session, remember the ID token for the provider's logout."""
    if request is None or user is None:
        return
    key = request.session.session_key
    if key:
        close_sockets(user_id=user.pk, session_keys=[key])
        ProviderSession.objects.filter(session_key=key).delete()
    id_token = request.session.get(ID_TOKEN_KEY)
    if id_token:
        request.identity_id_token = id_token
        audit.record(kind=AccountEvent.Kind.LOGOUT, user=user, method=AccountEvent.Method.SSO,
                     request=request)  # fmt: skip
