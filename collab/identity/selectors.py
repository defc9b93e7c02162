from django.db.models import Q

from collab.directory.models import Person

from .models import ExternalIdentity
from .seam import VerifiedIdentity


def person_for(identity: VerifiedIdentity) -> Person | None:
    """The active directory person a verified identity belongs to, or None.

    An identity already linked keeps its person; otherwise the employee id decides, and a
    verified email only when no employee id was given and exactly one active person has it.
    """
    linked = (
        ExternalIdentity.objects.filter(issuer=identity.issuer, subject=identity.subject)
        .values_list("user_id", flat=True)
        .first()
    )
    if linked is not None:
        return Person.objects.filter(user_id=linked, active=True).first()
    if identity.employee_id:
        return Person.objects.filter(employee_id=identity.employee_id, active=True).first()
    if identity.email:
        matches = list(Person.objects.filter(Q(email__iexact=identity.email), active=True)[:2])
        return matches[0] if len(matches) == 1 else None
    return None


def identity_of(*, issuer: str, subject: str) -> ExternalIdentity | None:
    return (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
