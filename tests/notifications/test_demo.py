import pytest

from collab.health import demo as health_demo
from collab.health.models import Patient
from collab.notifications import demo
from collab.notifications.models import EscalationStep, Rule

pytestmark = pytest.mark.django_db


def test_demo_rules_and_patients_are_idempotent():
    for _ in range(2):
        demo.seed()
        health_demo.seed()
    assert Rule.objects.count() == len(demo.RULES)
    paediatric = Rule.objects.get(event_type="referral.created", on_call_specialty="paediatrics")
    assert paediatric.escalation_snapshot() == [
        {"after_minutes": 5, "target": "next_on_call"},
        {"after_minutes": 15, "target": "unit_head"},
        {"after_minutes": 30, "target": "parent_unit_head"},
    ]
    assert EscalationStep.objects.count() == 6
    for rule in Rule.objects.all():
        rule.full_clean()
    assert Patient.objects.count() == len(health_demo.PATIENTS)
