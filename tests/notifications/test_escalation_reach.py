"""Escalation reaches people: a step's person without a login is emailed and the ladder's
next person is added; urgent and critical notifications without a ladder of their own
escalate on the default one (the unit's on-call, then its head); the history says who was
tried and how, for the recipients and the admin."""

import ast
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from collab.core import clock, formatting
from collab.directory import demo as directory_demo
from collab.directory.models import OrgUnit, Person
from collab.health.models import Patient
from collab.health.services import create_referral, record_lab_result
from collab.notifications import demo
from collab.notifications.delivery import deliver_due
from collab.notifications.escalation import escalate_due
from collab.notifications.models import DEFAULT_LADDER, NEEDS_ACK, Delivery, Notification
from collab.notifications.services import acknowledge, emit

from .factories import build_org, person, referral_rule, shift

pytestmark = pytest.mark.django_db


def _inbox(n) -> list[str]:
    return list(n.inbox_entries.order_by("pk").values_list("user__username", flat=True))


def _steps(n) -> list[dict]:
    n.refresh_from_db()
    return n.escalation_log[1:]  # after the creation entry


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
    [step] = _steps(n)
    assert _inbox(n) == ["oncall", "head"]  # the unit head, named next by the ladder
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
    assert _inbox(n) == ["oncall", "head"] and _steps(n)[1]["fallback"] is None
    assert [t["outcome"] for t in _steps(n)[1]["tried"]] == ["already notified"]

    acknowledge(notification=n, user=org.people["head"].user)
    clock.set_offset(60 * 60)
    assert escalate_due() == 0  # acknowledged: step 3 (the parent unit's head) never fires
    assert len(_steps(n)) == 2 and "odhead" not in _inbox(n)


def test_nobody_reachable_at_all_is_recorded_once_per_person(caplog):
    org = build_org()
    referral_rule(ladder=((5, "parent_unit_head"),))
    org.people["odhead"].user.delete()  # the parent unit's head: no login, and no email
    Person.objects.filter(employee_id="E-odhead").update(email="")
    [n] = emit(event_type="referral.created", event_key="referral:10", org_unit=org.hospital,
               message={"en": "New referral"}, url="/health/referrals/10/")
    clock.set_offset(5 * 60)
    escalate_due()
    [step] = _steps(n)
    outcomes = [(t["target"], t["outcome"]) for t in step["tried"]]
    # The parent unit's head is tried once (the ladder's own step), then the unit head.
    assert outcomes == [("parent_unit_head", "unreachable"), ("unit_head", "in_app")]
    assert step["fallback"] == "unit_head" and "head" in _inbox(n)


def test_a_step_that_reaches_nobody_who_can_act_is_logged(caplog):
    org = build_org()
    referral_rule(ladder=((5, "parent_unit_head"),))
    for who in ("head", "odhead"):
        org.people[who].user.delete()
    [n] = emit(event_type="referral.created", event_key="referral:11", org_unit=org.hospital,
               message={"en": "New referral"}, url="/health/referrals/11/")
    clock.set_offset(5 * 60)
    with caplog.at_level(logging.WARNING, logger="collab.notifications.escalation"):
        escalate_due()
    [step] = _steps(n)
    assert {t["outcome"] for t in step["tried"]} == {"email"} and step["fallback"] is None
    assert f"notification {n.pk} (referral.created) reaches nobody" in caplog.text


def test_creation_records_who_was_tried_and_emails_people_without_a_login(smtp, caplog):
    org = build_org()
    nologin = Person.objects.create(employee_id="E-x", family_name_en="Sok",
                                    given_name_en="Lina", email="lina.sok@example.org")
    nothing = Person.objects.create(employee_id="E-y", family_name_en="Chea",
                                    given_name_en="Mony")
    with caplog.at_level(logging.WARNING, logger="collab.notifications.services"):
        [n] = emit(event_type="t.nobody", event_key="k1", org_unit=org.hospital,
                   people=[nologin, nothing], message={"en": "Hello"}, url="/x/")
    [created] = n.escalation_log
    assert created["step"] == 0
    assert [(t["person"], t["outcome"]) for t in created["tried"]] == [
        (nologin.pk, "email"), (nothing.pk, "unreachable"),
    ]
    assert f"notification {n.pk} (t.nobody) reaches nobody in the suite" in caplog.text
    assert n.next_escalation_at is None  # routine: nothing to escalate
    deliver_due(worker="test")
    [mail] = smtp.mailbox.wait_for(1)
    assert mail["To"] == "lina.sok@example.org"


def test_an_urgent_notification_nobody_can_act_on_escalates_at_once():
    org = build_org()
    nologin = Person.objects.create(employee_id="E-z", family_name_en="Kim",
                                    given_name_en="Sothy", email="sothy@example.org")
    [n] = emit(event_type="t.urgent", event_key="k2", org_unit=org.hospital, people=[nologin],
               message={"en": "Hello"}, url="/x/", urgency="urgent")
    assert n.next_escalation_at == n.created_at  # not in 10 minutes: nobody can acknowledge
    assert escalate_due() == 1
    assert _inbox(n) == ["oncall"]  # the default ladder's first step: the unit's on-call


def test_the_history_is_shown_to_recipients_in_their_language_and_to_the_admin(client):
    org = build_org()
    referral_rule()
    nologin = Person.objects.create(employee_id="E-nologin", family_name_en="Pich",
                                    given_name_en="Dara", email="dara.pich@example.org")
    shift(org.hospital, nologin, start_hours=1, end_hours=13)
    [n] = emit(event_type="referral.created", event_key="referral:12", org_unit=org.hospital,
               message={"en": "New referral", "km": "ការបញ្ជូនថ្មី"}, url="/r/")
    clock.set_offset(5 * 60)
    escalate_due()
    url = reverse("notifications:history", args=[n.pk])

    client.force_login(org.people["oncall"].user)  # Khmer profile
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert "Pich Dara: តាមអ៊ីមែល (គ្មានគណនីចូលប្រព័ន្ធ)" in page
    assert "ជំហានបញ្ជូនបន្តទី 1៖ អ្នកឯកទេសប្រចាំការបន្ទាប់" in page
    client.force_login(org.people["head"].user)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pich Dara: by email (no login)" in page
    assert "Nobody of this step could act in the suite: Unit head was added." in page
    client.force_login(org.people["nurse"].user)  # not a recipient
    assert client.get(url).status_code == 404

    admin = person("root")
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    client.force_login(admin.user)
    page = client.get(reverse("admin:notifications_notification_change", args=[n.pk]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pich Dara: by email (no login)" in page


def test_the_history_writes_times_and_names_the_khmer_way_on_a_khmer_page(client):
    org = build_org()
    referral_rule()
    named = person("sokha", km=("សុខ", "ចាន់ថា"))
    shift(org.hospital, named, start_hours=1, end_hours=13)
    [n] = emit(event_type="referral.created", event_key="referral:13", org_unit=org.hospital,
               message={"en": "New referral", "km": "ការបញ្ជូនថ្មី"}, url="/r/")
    clock.set_offset(5 * 60)
    escalate_due()
    url = reverse("notifications:history", args=[n.pk])
    client.force_login(org.people["oncall"].user)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="km").content.decode()
    month_km = formatting.when(n.created_at, "date").split()[1]
    assert "សុខ ចាន់ថា: " in page and "Sokha Test" not in page
    assert f" {month_km} " in page and month_km != n.created_at.strftime("%b")
    assert not re.search(r">\d{4}-\d\d-\d\d ", page)  # no ISO date as the visible text
    client.force_login(named.user)  # reached in the app; English profile
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sokha Test: " in english


def _urgent_capable() -> set[str]:
    """Every event type the code can make urgent: an emit() call passing an urgency (its
    event type must then be a literal) and every demo rule that is urgent."""
    found = {e for _n, e, fields, _l in demo.RULES if fields.get("urgency") in NEEDS_ACK}
    for package in ("collab", "realtime", "knowledge", "training"):
        for path in (Path(settings.BASE_DIR) / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "emit"):
                    continue
                kw = {k.arg: k.value for k in node.keywords}
                urgency = kw.get("urgency")
                if urgency is None or (isinstance(urgency, ast.Constant)
                                       and urgency.value in (None, "routine")):
                    continue
                event_type = kw["event_type"]
                assert isinstance(event_type, ast.Constant), (
                    f"{path}:{node.lineno}: an emit() that can be urgent names its event type "
                    "literally, so that its escalation is tested"
                )
                found.add(event_type.value)
    return found


URGENT_CAPABLE = sorted(_urgent_capable())


def test_the_enumeration_finds_the_urgent_types():
    assert {"referral.created", "lab_result.ready", "referral.declined",
            "consultation.patient_waiting"} <= set(URGENT_CAPABLE)


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
    assert len(_steps(n)) == len(n.escalation_policy)
    assert "head" in set(_inbox(n)) - first  # the unit head, at the latest


def test_an_abnormal_lab_result_escalates_in_the_ordering_doctors_unit(smtp):
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
    # The hospital's on-call doctor, then its head, then the district's head.
    assert _inbox(n) == ["paed", "oncall", "head", "odhead"]
    deliver_due(worker="test")
    assert {m["To"] for m in smtp.mailbox.wait_for(4)} == {
        f"{u}@example.org" for u in ("paed", "oncall", "head", "odhead")
    }


def test_the_demo_referral_reaches_the_next_paediatrician_by_email_and_the_director(smtp):
    """The walk-through of docs/notifications.md, on the demo's own directory."""
    directory_demo.seed()
    demo.seed()
    from collab.health import demo as health_demo

    health_demo.seed()
    nurse = Person.objects.get(user__username="nurse")
    hospital = OrgUnit.objects.get(code=directory_demo.H)
    referral = create_referral(
        user=nurse.user, health_id="KH-05-000101",
        from_unit=nurse.positions.first().unit, to_unit=hospital, specialty="paediatrics",
        reason="Fever", urgency="urgent",
    )
    n = Notification.objects.get(event_key=f"referral:{referral.pk}:created")
    assert _inbox(n) == ["doctor"]
    clock.set_offset(5 * 60)
    escalate_due()
    [step] = _steps(n)
    nxt = Person.objects.get(employee_id="DEMO-0012")  # on call next, no login
    assert nxt.user is None and step["tried"][0] == {
        "target": "next_on_call", "person": nxt.pk, "name": str(nxt), "outcome": "email"}
    assert _inbox(n) == ["doctor", "manager"] and step["fallback"] == "unit_head"
    deliver_due(worker="test")
    assert nxt.email in {m["To"] for m in smtp.mailbox.wait_for(3)}
    clock.set_offset(30 * 60)
    while escalate_due():
        pass
    step2, step3 = _steps(n)[1:]
    assert [t["outcome"] for t in step2["tried"]] == ["already notified"]
    assert (step3["tried"][0]["target"], step3["tried"][0]["outcome"]) == (
        "parent_unit_head", "email")  # the department's head: no login in the demo
