"""The ladder, one worker pass at a time (the live test runs it in the real worker)."""

from datetime import timedelta

import pytest

from collab.core import clock
from collab.notifications.escalation import escalate_due
from collab.notifications.services import acknowledge, emit

from .factories import build_org, referral_rule

pytestmark = pytest.mark.django_db


def _refer(org, key="referral:1"):
    [n] = emit(event_type="referral.created", event_key=key, org_unit=org.hospital,
               message={"en": "New referral", "km": "ការបញ្ជូនថ្មី"}, url="/health/referrals/1/")
    return n


def _inbox(n) -> list[str]:
    return list(n.inbox_entries.order_by("pk").values_list("user__username", flat=True))


def test_the_ladder_fires_in_order_on_the_clock():
    org = build_org()
    referral_rule()
    n = _refer(org)
    assert _inbox(n) == ["oncall"]

    clock.set_offset(4 * 60)
    assert escalate_due() == 0
    clock.set_offset(5 * 60)
    assert escalate_due() == 1
    assert _inbox(n) == ["oncall", "backup"]  # next on-call: the next shift's doctor
    clock.set_offset(15 * 60)
    escalate_due()
    assert _inbox(n) == ["oncall", "backup", "head"]
    clock.set_offset(30 * 60)
    escalate_due()
    assert _inbox(n) == ["oncall", "backup", "head", "odhead"]  # the parent unit's head
    n.refresh_from_db()
    assert [s["step"] for s in n.escalation_log] == [0, 1, 2, 3]
    assert n.next_escalation_at is None
    assert escalate_due() == 0


def test_a_late_worker_fires_each_step_once():
    org = build_org()
    referral_rule()
    n = _refer(org)
    clock.set_offset(60 * 60)
    while escalate_due():
        pass
    n.refresh_from_db()
    assert [s["step"] for s in n.escalation_log] == [0, 1, 2, 3]


def test_acknowledgement_stops_the_escalation():
    org = build_org()
    referral_rule()
    n = _refer(org)
    clock.set_offset(5 * 60)
    escalate_due()
    backup = org.people["backup"].user
    assert acknowledge(notification=n, user=backup) is True
    assert acknowledge(notification=n, user=backup) is False  # idempotent
    clock.set_offset(60 * 60)
    assert escalate_due() == 0
    n.refresh_from_db()
    assert n.acknowledged_by == backup and n.next_escalation_at is None
    assert _inbox(n) == ["oncall", "backup"]


def test_only_a_recipient_may_acknowledge():
    from django.core.exceptions import PermissionDenied

    org = build_org()
    referral_rule()
    n = _refer(org)
    with pytest.raises(PermissionDenied):
        acknowledge(notification=n, user=org.people["nurse"].user)


def test_editing_the_rule_does_not_change_an_escalation_in_progress():
    org = build_org()
    rule = referral_rule()
    n = _refer(org)
    rule.escalation_steps.update(target="parent_unit_head")
    clock.set_offset(5 * 60)
    escalate_due()
    assert _inbox(n) == ["oncall", "backup"]


def test_escalation_is_recorded_with_its_due_and_fired_times():
    org = build_org()
    referral_rule()
    n = _refer(org)
    clock.set_offset(5 * 60 + 2)
    escalate_due()
    n.refresh_from_db()
    [_created, entry] = n.escalation_log
    assert entry["due_at"] == (n.created_at + timedelta(minutes=5)).isoformat()
    assert entry["fired_at"] >= entry["due_at"]
