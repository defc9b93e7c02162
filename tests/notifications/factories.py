"""A small directory for notification and health tests: a ministry, a provincial health
department, an operational district with a hospital (paediatrics) and a health centre."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model

from collab.accounts.models import Profile
from collab.core.clock import now
from collab.directory.models import OnCallShift, OrgUnit, Person, Position
from collab.notifications.models import EscalationStep, Rule


@dataclass
class Org:
    moh: OrgUnit
    phd: OrgUnit
    od: OrgUnit
    hospital: OrgUnit
    centre: OrgUnit
    people: dict


def person(username: str, *, language: str = "en", email: str | None = None,
           km: tuple[str, str] = ("", "")) -> Person:
    user = get_user_model().objects.create_user(
        username, email=email if email is not None else f"{username}@example.org",
        password=None,
    )
    Profile.objects.update_or_create(user=user, defaults={"language": language})
    return Person.objects.create(
        user=user, employee_id=f"E-{username}", family_name_en=username.title(),
        given_name_en="Test", family_name_km=km[0], given_name_km=km[1],
        email=f"{username}@example.org",
    )


def position(unit: OrgUnit, holder: Person | None, tags: str, title: str = "Post") -> Position:
    return Position.objects.create(unit=unit, title_en=title, holder=holder, role_tags=tags)


def shift(unit: OrgUnit, who: Person, specialty: str = "paediatrics", *, start_hours=-1,
          end_hours=11) -> OnCallShift:
    at = now()
    return OnCallShift.objects.create(
        unit=unit, specialty=specialty, person=who,
        starts_at=at + timedelta(hours=start_hours), ends_at=at + timedelta(hours=end_hours),
    )


def build_org() -> Org:
    moh = OrgUnit.objects.create(code="MOH", kind="ministry", name_en="Ministry", name_km="ក្រសួង")
    phd = OrgUnit.objects.create(code="PHD", kind="phd", name_en="Province HD",
                                 name_km="មន្ទីរ", parent=moh)
    od = OrgUnit.objects.create(code="OD", kind="od", name_en="District OD", name_km="ស្រុក",
                                parent=phd)
    hospital = OrgUnit.objects.create(code="RH", kind="hospital", name_en="Referral Hospital",
                                      name_km="មន្ទីរពេទ្យបង្អែក", parent=od)
    centre = OrgUnit.objects.create(code="HC", kind="health_centre", name_en="Health Centre",
                                    name_km="មណ្ឌលសុខភាព", parent=od)
    people = {
        "oncall": person("oncall", language="km"),
        "backup": person("backup"),
        "paed": person("paed"),
        "head": person("head"),
        "odhead": person("odhead"),
        "nurse": person("nurse"),
        "centrehead": person("centrehead"),
    }
    position(hospital, people["paed"], "specialist:paediatrics", "Paediatrician")
    position(hospital, people["head"], "unit-head", "Director")
    position(od, people["odhead"], "unit-head", "OD director")
    position(centre, people["nurse"], "nurse", "Nurse")
    position(centre, people["centrehead"], "unit-head", "Chief")
    shift(hospital, people["oncall"])
    shift(hospital, people["backup"], start_hours=2, end_hours=14)  # the next shift
    return Org(moh=moh, phd=phd, od=od, hospital=hospital, centre=centre, people=people)


def referral_rule(*, ladder=((5, "next_on_call"), (15, "unit_head"), (30, "parent_unit_head")),
                  urgency="urgent", channels="in_app email") -> Rule:
    rule = Rule.objects.create(
        name="Paediatric referral", event_type="referral.created",
        on_call_specialty="paediatrics", urgency=urgency, channels=channels,
    )
    for minutes, target in ladder:
        EscalationStep.objects.create(rule=rule, after_minutes=minutes, target=target)
    return rule
