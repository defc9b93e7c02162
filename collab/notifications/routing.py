"""Who receives a notification (reads only): resolved through the directory."""

from collections.abc import Sequence
from datetime import datetime

from collab.directory.models import OnCallShift, OrgUnit, Person

from .models import EscalationTarget, Rule

UNIT_HEAD = "unit-head"


def _who_must_act(*, role: str, unit: OrgUnit, at: datetime) -> list[Person]:
    from collab.directory.selectors import who_must_act

    return list(who_must_act(role=role, unit=unit, at=at))


def unit_head(*, unit: OrgUnit | None, at: datetime) -> list[Person]:
    return _who_must_act(role=UNIT_HEAD, unit=unit, at=at) if unit else []


def fallback(*, unit: OrgUnit | None, at: datetime) -> tuple[list[Person], str]:
    """Nobody resolved: the unit head, then the parent unit's head."""
    if unit is None:
        return [], ""
    people = unit_head(unit=unit, at=at)
    if people:
        return people, "fallback:unit-head"
    parent = unit.parent
    return unit_head(unit=parent, at=at), "fallback:parent-unit-head"


def rule_recipients(
    *, rule: Rule, unit: OrgUnit | None, at: datetime, specialty: str = "",
    people: Sequence[Person] = (),
) -> list[tuple[Person, str]]:
    """The rule's recipients. A rule naming no recipients governs the event's own
    ``people`` (urgency, channels, escalation); nobody at all → the unit's head."""
    if not rule.has_recipient_source:
        found = [(p, "direct") for p in people]
        if found:
            return found
    found: list[tuple[Person, str]] = []
    if unit is not None:
        if rule.role_tag:
            found += [(p, f"role:{rule.role_tag}")
                      for p in _who_must_act(role=rule.role_tag, unit=unit, at=at)]
        if specialty:
            found += [(p, f"on-call:{specialty}")
                      for p in _who_must_act(role=f"specialist:{specialty}", unit=unit, at=at)]
        if rule.notify_unit_head:
            found += [(p, "unit-head") for p in unit_head(unit=unit, at=at)]
    found += [(p, "named") for p in rule.named_people.all()]
    if not found:
        people, reason = fallback(unit=unit, at=at)
        found = [(p, reason) for p in people]
    return found


def next_on_call(
    *, unit: OrgUnit | None, specialty: str, at: datetime, exclude_person_ids: set[int]
) -> list[Person]:
    """The next person on call for the specialty (any specialty when none is given: the
    unit's on-call), now or next shift, not yet notified."""
    if unit is None:
        return []
    shifts = OnCallShift.objects.filter(unit=unit, ends_at__gt=at)
    if specialty:
        shifts = shifts.filter(specialty=specialty)
    shifts = (
        shifts
        .exclude(person_id__in=exclude_person_ids)
        .select_related("person")
        .order_by("starts_at")
    )
    for shift in shifts[:10]:
        if shift.person.active:
            return [shift.person]
    return []


def escalation_recipients(
    *, target: str, unit: OrgUnit | None, specialty: str, at: datetime,
    exclude_person_ids: set[int],
) -> list[Person]:
    if target == EscalationTarget.NEXT_ON_CALL:
        people = next_on_call(
            unit=unit, specialty=specialty, at=at, exclude_person_ids=exclude_person_ids
        )
        return people or fallback(unit=unit, at=at)[0]
    if target == EscalationTarget.UNIT_HEAD:
        return unit_head(unit=unit, at=at) if unit else []
    if target == EscalationTarget.PARENT_UNIT_HEAD:
        return unit_head(unit=unit.parent, at=at) if unit and unit.parent_id else []
    raise ValueError(f"unknown escalation target {target!r}")
