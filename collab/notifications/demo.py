"""Demo notification rules (``manage.py seed_demo`` calls ``seed()``; idempotent)."""

from .models import EscalationStep, Rule

PAEDIATRIC_LADDER = ((5, "next_on_call"), (15, "unit_head"), (30, "parent_unit_head"))
OTHER_LADDER = ((10, "next_on_call"), (20, "unit_head"), (40, "parent_unit_head"))

# (name, event type, fields, escalation ladder)
RULES = (
    ("Paediatric referral: on-call paediatrician", "referral.created",
     {"on_call_specialty": "paediatrics", "urgency": "urgent",
      "conditions": {"specialty_in": ["paediatrics"]}}, PAEDIATRIC_LADDER),
    ("Other referrals: the specialty's on-call doctor", "referral.created",
     {"on_call_specialty": "*", "urgency": "urgent",
      "conditions": {"specialty_in": ["obstetrics", "surgery", "emergency",
                                      "internal-medicine"]}}, OTHER_LADDER),
    ("Referral accepted: the referring worker", "referral.accepted", {}, ()),
    ("Referral declined: the referring worker", "referral.declined", {"urgency": "urgent"}, ()),
    ("Referral completed: the referring worker", "referral.completed", {}, ()),
    ("Lab result ready: the ordering doctor", "lab_result.ready", {}, ()),
    ("Consultation booked", "consultation.booked", {}, ()),
    ("Consultation reminder", "consultation.reminder", {"channels": "in_app email"}, ()),
    ("Patient waiting in the lobby", "consultation.patient_waiting",
     {"urgency": "urgent", "channels": "in_app"}, ()),
    ("Knowledge page waiting for approval", "knowledge.approval_waiting", {}, ()),
    ("Knowledge page overdue for review", "knowledge.review_due", {}, ()),
    ("Course assigned", "training.assigned", {}, ()),
    ("Course due soon", "training.due", {}, ()),
    ("Course overdue", "training.overdue", {}, ()),
    ("Chat mention while offline", "chat.mention", {}, ()),
    ("Direct message while offline", "chat.direct", {}, ()),
)


def seed() -> None:
    for name, event_type, fields, ladder in RULES:
        defaults = {"urgency": "routine", "channels": "in_app email", "conditions": {},
                    "on_call_specialty": "", "active": True, **fields}
        rule, created = Rule.objects.get_or_create(
            name=name, event_type=event_type, defaults=defaults
        )
        if created:
            for minutes, target in ladder:
                EscalationStep.objects.create(rule=rule, after_minutes=minutes, target=target)
