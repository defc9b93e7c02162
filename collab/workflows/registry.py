"""Yearly registry numbers (e.g. IN-2026/0042 for an incoming letter): unique per registry
and year, and without gaps: the next number is taken from a locked counter row in the
transaction that stores the request, so a request that is not stored gives its number
back."""

from django.utils import timezone

from .models import Paperwork, RegistryCounter, RegistryNumber, Request


def assign_number(*, request: Request) -> RegistryNumber | None:
    """The request's registry number, when its definition keeps a registry. Call it inside
    the transaction that creates the request."""
    prefix = (
        Paperwork.objects.filter(definition_id=request.version.definition_id)
        .values_list("registry_prefix", flat=True).first()
    )
    if not prefix:
        return None
    year = timezone.localdate(request.created_at).year
    RegistryCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = RegistryCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return RegistryNumber.objects.create(request=request, prefix=prefix, year=year,
                                         number=counter.last)


def reference(request: Request) -> str:
    """How people quote a request: its registry number, else its number."""
    number = RegistryNumber.objects.filter(request=request).first()
    return str(number) if number else f"#{request.pk}"
