from datetime import timedelta

import pytest

from collab.core.clock import now
from collab.directory.models import Position
from collab.notifications.models import Delivery, Notification, Recipient, Rule
from collab.notifications.services import emit
from realtime.models import Event

from .factories import build_org, person, position, referral_rule

pytestmark = pytest.mark.django_db
MESSAGE = {"en": "Something happened", "km": "មានរឿងកើតឡើង"}


def _emit(unit, key="e:1", event_type="test.event", **kw):
    return emit(event_type=event_type, event_key=key, org_unit=unit, message=MESSAGE,
                url="/x/", **kw)


def _users(notification: Notification) -> set[str]:
    return {r.user.username for r in notification.inbox_entries.select_related("user")}


def test_role_tag_resolves_the_holder():
    org = build_org()
    Rule.objects.create(name="r", event_type="test.event", role_tag="nurse")
    [n] = _emit(org.centre)
    assert _users(n) == {"nurse"}
    assert n.recipients[0]["reason"] == "role:nurse"


def test_acting_holder_wins_within_their_dates():
    org = build_org()
    acting = person("acting")
    post = Position.objects.get(unit=org.centre, role_tags__contains=" nurse ")
    post.acting_holder = acting
    post.acting_from = now() - timedelta(days=1)
    post.acting_until = now() + timedelta(days=1)
    post.save()
    Rule.objects.create(name="r", event_type="test.event", role_tag="nurse")
    [n] = _emit(org.centre)
    assert _users(n) == {"acting"}

    post.acting_until = now() - timedelta(hours=1)
    post.save()
    [n2] = _emit(org.centre, key="e:2")
    assert _users(n2) == {"nurse"}


def test_on_call_specialist_wins_over_the_roster():
    org = build_org()
    referral_rule()
    [n] = _emit(org.hospital, event_type="referral.created")
    # the roster paediatrician and the next shift's doctor are not called
    assert _users(n) == {"oncall"}


def test_role_walks_up_the_tree_when_the_unit_has_nobody():
    org = build_org()
    Rule.objects.create(name="r", event_type="test.event", role_tag="approver")
    position(org.phd, person("approver"), "approver")
    [n] = _emit(org.centre)
    assert _users(n) == {"approver"}


def test_nobody_resolves_then_unit_head_then_parent_unit_head():
    org = build_org()
    Rule.objects.create(name="r", event_type="test.event", role_tag="nobody-has-this")
    [n] = _emit(org.hospital)
    assert _users(n) == {"head"}
    assert n.recipients[0]["reason"] == "fallback:unit-head"


def test_named_people_and_direct_people_are_not_notified_twice():
    org = build_org()
    rule = Rule.objects.create(name="r", event_type="test.event")
    rule.named_people.add(org.people["head"])
    created = _emit(org.hospital, people=[org.people["head"], org.people["nurse"]])
    assert len(created) == 2
    assert sorted(_users(n).pop() for n in created) == ["head", "nurse"]


def test_emit_is_idempotent_per_event_key():
    org = build_org()
    referral_rule()
    first = _emit(org.hospital, event_type="referral.created", key="referral:1")
    again = _emit(org.hospital, event_type="referral.created", key="referral:1")
    assert len(first) == 1 and again == []
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 2  # 1 person × (in_app, email)
    assert Event.objects.filter(type="notification.new").count() == 1


def test_in_app_delivery_is_an_event_for_the_user_in_the_same_transaction():
    org = build_org()
    referral_rule()
    [n] = _emit(org.hospital, event_type="referral.created")
    user = org.people["oncall"].user
    event = Event.objects.get(type="notification.new", user=user)
    assert event.payload["id"] == n.pk
    assert event.payload["unread_count"] == 1
    assert event.payload["message"] == MESSAGE
    in_app = Delivery.objects.get(user=user, channel="in_app")
    assert in_app.status == "sent" and in_app.attempt_log.count() == 1
    email = Delivery.objects.get(user=user, channel="email")
    assert email.status == "pending" and email.attempt_log.count() == 0


def test_emit_rolls_back_with_the_callers_transaction():
    from django.db import transaction

    org = build_org()
    referral_rule()
    with pytest.raises(RuntimeError), transaction.atomic():
        _emit(org.hospital, event_type="referral.created")
        raise RuntimeError("the causing write failed")
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0 and Recipient.objects.count() == 0
    assert not Event.objects.filter(type="notification.new").exists()


def test_conditions_filter_rules():
    org = build_org()
    Rule.objects.create(name="r", event_type="test.event", role_tag="nurse",
                        conditions={"urgency_in": ["critical"], "unit_kind_in": ["health_centre"]})
    assert _emit(org.centre, urgency="urgent") == []
    assert len(_emit(org.centre, key="e:2", urgency="critical")) == 1
    assert _emit(org.hospital, key="e:3", urgency="critical") == []


def test_policy_is_a_snapshot_taken_at_creation():
    org = build_org()
    rule = referral_rule()
    [n] = _emit(org.hospital, event_type="referral.created")
    rule.escalation_steps.all().delete()
    rule.on_call_specialty = "surgery"
    rule.save()
    n.refresh_from_db()
    assert [s["after_minutes"] for s in n.escalation_policy] == [5, 15, 30]
    assert n.specialty == "paediatrics"
    assert n.next_escalation_at == n.created_at + timedelta(minutes=5)
    assert n.requires_ack


def test_routine_items_need_no_acknowledgement_and_do_not_escalate():
    org = build_org()
    referral_rule()
    [n] = _emit(org.hospital, event_type="referral.created", urgency="routine")
    assert not n.requires_ack and n.escalation_policy == [] and n.next_escalation_at is None


def test_rule_admin_validation_names_the_field():
    from django.core.exceptions import ValidationError

    rule = Rule(name="r", event_type="x", channels="in_app pigeon")
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert "channels" in exc.value.message_dict
    rule = Rule(name="r", event_type="x", conditions={"colour": ["red"]})
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert "conditions" in exc.value.message_dict


def test_star_routes_to_the_specialty_the_event_names():
    org = build_org()
    from .factories import shift

    surgeon = person("surgeon")
    shift(org.hospital, surgeon, specialty="surgery")
    Rule.objects.create(name="any", event_type="referral.created", on_call_specialty="*",
                        conditions={"specialty_in": ["surgery", "paediatrics"]})
    [n] = _emit(org.hospital, event_type="referral.created", specialty="surgery")
    assert _users(n) == {"surgeon"} and n.specialty == "surgery"
    [n] = _emit(org.hospital, key="e:2", event_type="referral.created", specialty="paediatrics")
    assert _users(n) == {"oncall"}
    assert _emit(org.hospital, key="e:3", event_type="referral.created", specialty="eyes") == []


def test_a_rule_without_recipients_governs_the_events_own_people():
    org = build_org()
    Rule.objects.create(name="lab", event_type="test.event", urgency="urgent", channels="in_app")
    [n] = _emit(org.hospital, people=[org.people["paed"]])
    assert _users(n) == {"paed"} and n.urgency == "urgent" and n.channels == ["in_app"]
    assert n.rule is not None
