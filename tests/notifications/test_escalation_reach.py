"""Escalation reaches people: a step's person without a login is emailed and the ladder's
next person is added; urgent and critical notifications without a ladder of their own
escalate on the default one (the unit's on-call, then its head)."""

import pytest
from django.contrib.auth.models import Permission

from collab.core import clock
from collab.directory.models import Person
from collab.health.models import Patient
from collab.health.services import record_lab_result
from collab.notifications import demo
from collab.notifications.delivery import deliver_due
from collab.notifications.escalation import escalate_due
from collab.notifications.models import DEFAULT_LADDER, Delivery, Notification
from collab.notifications.services import emit

from .factories import build_org, person, referral_rule, shift

pytestmark = pytest.mark.django_db


def _inbox(n) -> list[str]:
    return list(n.inbox_entries.order_by("pk").values_list("user__username", flat=True))


def test_a_step_whose_person_has_no_login_emails_them_and_adds_the_unit_head(smtp):
    org = build_org()
    referral_rule()
    # The next on-call paediatrician is in the directory with an email but no login.
    nologin = Person.objects.create(employee_id="E-nologin", family_name_en="Pich",
                                    given_name_en="Dara", email="dara.pich@example.org")
    shift(org.hospital, nologin, start_hours=1, end_hours=13)
    [n] = emit(event_type="referral.created", event_key="referral:9", org_unit=org.hospital,
               message={"en": "New referral"}, url="/health/referrals/9/")
    assert _inbox(n) == ["oncall"]

    clock.set_offset(5 * 60)
    assert escalate_due() == 1
    n.refresh_from_db()
    assert _inbox(n) == ["oncall", "head"]  # the unit head, named next by the ladder
    [step] = n.escalation_log
    assert step["fallback"] == "unit_head"
    assert [(t["person"], t["outcome"]) for t in step["tried"]] == [
        (nologin.pk, "email"), (org.people["head"].pk, "in_app"),
    ]
    emailed = Delivery.objects.get(person=nologin)
    assert emailed.user is None and emailed.channel == "email"

    deliver_due(worker="test")
    sent = [m for m in smtp.mailbox.wait_for(3) if m["To"] == "dara.pich@example.org"]
    assert len(sent) == 1
    assert "/notifications/ack/" not in smtp.mailbox.text(sent[0])  # no login: nothing to ack with
    emailed.refresh_from_db()
    assert emailed.status == Delivery.Status.SENT

    clock.set_offset(15 * 60)  # step 2 (unit head) has nobody new: no early jump
    escalate_due()
    n.refresh_from_db()
    assert _inbox(n) == ["oncall", "head"] and n.escalation_log[1]["fallback"] is None


def test_nobody_reachable_at_all_is_recorded():
    org = build_org()
    referral_rule(ladder=((5, "parent_unit_head"),))
    org.people["odhead"].user.delete()  # the parent unit's head: no login, and no email
    Person.objects.filter(employee_id="E-odhead").update(email="")
    [n] = emit(event_type="referral.created", event_key="referral:10", org_unit=org.hospital,
               message={"en": "New referral"}, url="/health/referrals/10/")
    clock.set_offset(5 * 60)
    escalate_due()
    n.refresh_from_db()
    [step] = n.escalation_log
    outcomes = [(t["target"], t["outcome"]) for t in step["tried"]]
    assert outcomes[0] == ("parent_unit_head", "unreachable")
    assert ("unit_head", "in_app") in outcomes and step["fallback"] == "unit_head"
    assert "head" in _inbox(n)


URGENT_CAPABLE = sorted({event_type for _name, event_type, _f, _l in demo.RULES})


@pytest.mark.parametrize("event_type", URGENT_CAPABLE)
@pytest.mark.parametrize("urgency", ["urgent", "critical"])
def test_every_urgent_notification_escalates(event_type, urgency):
    org = build_org()
    demo.seed()
    doctor = person("treating")
    [n, *_] = emit(event_type=event_type, event_key=f"{event_type}:1", org_unit=org.hospital,
                   people=[doctor], message={"en": "Something"}, url="/", urgency=urgency,
                   specialty="paediatrics")
    assert n.requires_ack and n.escalation_policy
    own = n.rule.escalation_snapshot() if n.rule else []
    assert n.escalation_policy == (own or list(DEFAULT_LADDER))
    first = set(_inbox(n))
    clock.set_offset(4 * 60 * 60 + 30 * 60)  # 4.5 hours unacknowledged
    while escalate_due():
        pass
    n.refresh_from_db()
    assert len(n.escalation_log) == len(n.escalation_policy)
    assert "head" in set(_inbox(n)) - first  # the unit head, at the latest


def test_an_abnormal_lab_result_escalates_in_the_ordering_doctors_unit():
    org = build_org()
    demo.seed()
    lab = person("lis")
    lab.user.user_permissions.add(Permission.objects.get(codename="add_labresult"))
    Patient.objects.create(health_id="KH-77", family_name_latin="Keo", given_name_latin="V")
    paed = org.people["paed"]  # works at the hospital, holds no shift
    result, _ = record_lab_result(
        submitted_by=lab.user, health_id="KH-77", ordering_doctor=paed.employee_id,
        test_code="HB", test_name="Haemoglobin", value="5.0", abnormal=True,
    )
    [n] = Notification.objects.filter(event_key=f"lab_result:{result.pk}")
    assert n.urgency == "urgent" and n.org_unit == org.hospital
    assert _inbox(n) == ["paed"]
    clock.set_offset(4 * 60 * 60 + 30 * 60)
    while escalate_due():
        pass
    n.refresh_from_db()
    # The hospital's on-call doctor, then its head, then the district's head.
    assert _inbox(n) == ["paed", "oncall", "head", "odhead"]
