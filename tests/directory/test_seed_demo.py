import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from collab.directory import demo
from collab.directory.models import OnCallShift, OrgUnit, Person, Position
from collab.directory.selectors import who_must_act

pytestmark = pytest.mark.django_db

LOGINS = ("admin", "doctor", "nurse", "manager", "trainee")


def _counts():
    User = get_user_model()
    return [m.objects.count() for m in (OrgUnit, Person, Position, OnCallShift, User)]


def test_seed_demo_is_idempotent_and_complete(monkeypatch):
    monkeypatch.delenv("SAHAKAR_DEMO_PASSWORD", raising=False)
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    first = _counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    assert "knowledge.demo: done" in out.getvalue()  # each app's seed(), after the directory
    assert _counts() == first

    kinds = OrgUnit.objects.values_list("kind", flat=True)
    assert list(kinds).count(OrgUnit.Kind.MINISTRY) == 1
    phds = OrgUnit.objects.filter(kind=OrgUnit.Kind.PROVINCIAL_HEALTH_DEPARTMENT)
    assert phds.count() == 25
    assert phds.get(province_code="12").name_km == "មន្ទីរសុខាភិបាលរាជធានីភ្នំពេញ"
    assert phds.get(province_code="05").name_en == "Kampong Speu Provincial Health Department"
    hospitals = OrgUnit.objects.filter(kind=OrgUnit.Kind.REFERRAL_HOSPITAL)
    assert sorted(h.parent.province_code for h in hospitals) == sorted(
        p.province_code for p in phds
    )
    # Every commune of Kampong Speu (88) and Koh Kong (29) has a health centre.
    centres = OrgUnit.objects.filter(kind=OrgUnit.Kind.HEALTH_CENTRE)
    assert centres.filter(province_code="05").count() == 88
    assert centres.filter(province_code="09").count() == 29
    assert all(c.path.startswith("/MOH/PHD-") and c.commune_code for c in centres)

    people = Person.objects.all()
    assert people.count() >= 30
    assert all(p.name_km and p.name_en and p.positions.exists() for p in people)
    for tag in ("unit-head", "approver", "hr", "trainee", "nurse", "specialist:paediatrics"):
        assert Position.objects.filter(role_tags__contains=f" {tag} ").exists(), tag
    assert Position.objects.filter(holder__isnull=True).exists()  # a vacancy
    assert Position.objects.filter(acting_holder__isnull=False).exists()

    for username in LOGINS:
        user = get_user_model().objects.get(username=username)
        assert user.check_password(demo.DEFAULT_PASSWORD) and user.person.active, username
    assert get_user_model().objects.get(username="admin").is_superuser

    hospital = OrgUnit.objects.get(code="PRH-05")
    doctor = Person.objects.get(user__username="doctor")
    assert who_must_act(role="specialist:paediatrics", unit=hospital) == [doctor]
    manager = Person.objects.get(user__username="manager")
    assert who_must_act(role="unit-head", unit=hospital) == [manager]
    assert manager in who_must_act(role="approver", unit=hospital)
    nurse_unit = Person.objects.get(user__username="nurse").positions.get().unit
    assert nurse_unit.kind == OrgUnit.Kind.HEALTH_CENTRE and nurse_unit.province_code == "05"
    # A week of shifts from now for the demo hospital's paediatrics.
    shifts = OnCallShift.objects.filter(unit=hospital, specialty="paediatrics")
    assert shifts.count() == 14
    assert max(s.ends_at for s in shifts) - min(s.starts_at for s in shifts) >= demo.timedelta(
        days=7
    )


def test_demo_password_from_environment(monkeypatch):
    monkeypatch.setenv("SAHAKAR_DEMO_PASSWORD", "another-Secret-9")
    demo.seed()
    nurse = get_user_model().objects.get(username="nurse")
    assert nurse.check_password("another-Secret-9")
    assert not nurse.check_password(demo.DEFAULT_PASSWORD)
