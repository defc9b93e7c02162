from django.db.models import Q, QuerySet

from collab.core.clock import now
from collab.directory.models import OnCallShift, OrgUnit
from collab.directory.selectors import person_for_user, units_of_person

from .models import LabResult, Patient, Referral


def member_paths(user) -> list[str]:
    """Materialised paths of the units the user works in: holder, acting, or on call now."""
    person = person_for_user(user)
    if person is None:
        return []
    at = now()
    held = list(units_of_person(person=person, at=at).values_list("path", flat=True))
    on_call = OnCallShift.objects.filter(person=person, starts_at__lte=at, ends_at__gt=at)
    return held + list(on_call.values_list("unit__path", flat=True))


def is_member(*, user, unit: OrgUnit) -> bool:
    return unit.path in member_paths(user)


def _within(paths: list[str], unit: OrgUnit) -> bool:
    """The unit is one of the user's units or below one of them."""
    return any(unit.path.startswith(p) for p in paths)


def can_view_referral(*, user, referral: Referral) -> bool:
    if user.is_superuser or referral.referred_by_id == user.pk:
        return True
    paths = member_paths(user)
    return _within(paths, referral.to_unit) or _within(paths, referral.from_unit)


def can_handle_referral(*, user, referral: Referral) -> bool:
    return user.is_superuser or _within(member_paths(user), referral.to_unit)


def referrals_for(*, user, direction: str = "incoming", status: str = "") -> QuerySet[Referral]:
    referrals = Referral.objects.select_related("patient", "from_unit", "to_unit")
    if not user.is_superuser:
        paths = member_paths(user)
        field = "to_unit__path" if direction == "incoming" else "from_unit__path"
        scope = Q(pk__in=[])
        for p in paths:
            scope |= Q(**{f"{field}__startswith": p})
        if direction == "outgoing":
            scope |= Q(referred_by=user)
        referrals = referrals.filter(scope)
    if status:
        referrals = referrals.filter(status=status)
    return referrals


def can_view_patient(*, user, patient: Patient) -> bool:
    if user.is_superuser or user.has_perm("health.view_patient"):
        return True
    if LabResult.objects.filter(patient=patient, ordering_doctor__user=user).exists():
        return True
    paths = member_paths(user)
    if patient.home_unit and _within(paths, patient.home_unit):
        return True
    return any(
        _within(paths, r.to_unit) or _within(paths, r.from_unit) or r.referred_by_id == user.pk
        for r in patient.referrals.select_related("to_unit", "from_unit")
    )


def can_view_lab_result(*, user, result: LabResult) -> bool:
    return (
        user.is_superuser
        or result.ordering_doctor.user_id == user.pk
        or result.submitted_by_id == user.pk
        or can_view_patient(user=user, patient=result.patient)
    )


def referral_units_for(user) -> QuerySet[OrgUnit]:
    person = person_for_user(user)
    return units_of_person(person=person) if person else OrgUnit.objects.none()


def patients_matching(*, user, q: str, limit: int = 8) -> list[Patient]:
    """The patients ``user`` may see whose Health ID starts with ``q`` or whose Khmer or
    Latin name contains it (the pickers of the referral and booking forms)."""
    q = q.strip()
    if len(q) < 2:
        return []
    match = Q(health_id__istartswith=q)
    for field in ("family_name_km", "given_name_km", "family_name_latin", "given_name_latin"):
        match |= Q(**{f"{field}__icontains": q})
    candidates = Patient.objects.filter(match).order_by("health_id")[:50]
    return [p for p in candidates if can_view_patient(user=user, patient=p)][:limit]
