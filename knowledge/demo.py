"""Demo knowledge base for ``seed_demo``: real-shaped guidelines, a policy, a private space.

Idempotent: pages are found by slug and left as they are; role tags and groups are re-applied.
Logins (see collab/directory/demo.py): ``nurse`` edits, ``doctor`` reviews, ``manager`` approves.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from wagtail.models import Locale

from collab.core import clock
from collab.directory.demo import DEMO_PROVINCE, demo_person
from collab.directory.models import OrgUnit, Position
from knowledge.models import ArticlePage, KnowledgeSpacePage
from knowledge.services import APPROVER_TAG, REVIEWER_TAG, ensure_tree

HOSPITAL = f"PRH-{DEMO_PROVINCE}"


def _rt(html: str) -> dict:
    return {"type": "rich_text", "value": html}


def _callout(kind: str, title: str, html: str) -> dict:
    return {"type": "callout", "value": {"kind": kind, "title": title, "text": html}}


def _steps(title: str, steps: list[str]) -> dict:
    return {"type": "steps", "value": {"title": title, "steps": [f"<p>{s}</p>" for s in steps]}}


def _table(rows: list[list[str]], caption: str = "") -> dict:
    return {
        "type": "table",
        "value": {
            "data": rows,
            "first_row_is_table_header": True,
            "first_col_is_header": False,
            "table_caption": caption,
        },
    }


def _faq(items: list[tuple[str, str]]) -> dict:
    return {
        "type": "faq",
        "value": {"items": [{"question": q, "answer": f"<p>{a}</p>"} for q, a in items]},
    }


PLAN_C_EN = [
    _rt(
        "<h2>When to use Plan C</h2><p>Use Plan C for a child with <b>severe dehydration</b>: "
        "two or more of the following signs.</p><ul><li>Lethargic or unconscious</li>"
        "<li>Sunken eyes</li><li>Not able to drink, or drinking poorly</li>"
        "<li>Skin pinch goes back very slowly (2 seconds or more)</li></ul>"
    ),
    _callout(
        "warning",
        "Danger signs",
        "<p>A child with severe dehydration and another severe "
        "classification (for example severe pneumonia or severe acute malnutrition) needs "
        "urgent referral. Do not give large IV volumes to a severely malnourished child.</p>",
    ),
    _rt(
        "<h2>Intravenous rehydration</h2><p>Start IV fluid immediately. Give Ringer's lactate "
        "(or normal saline) 100 ml/kg, divided as below.</p>"
    ),
    _table(
        [
            ["Age", "First give 30 ml/kg in", "Then give 70 ml/kg in"],
            ["Infants (under 12 months)", "1 hour*", "5 hours"],
            ["Children (12 months to 5 years)", "30 minutes*", "2½ hours"],
        ],
        "* Repeat once if the radial pulse is still very weak or not detectable.",
    ),
    _steps(
        "While the drip runs",
        [
            "Reassess the child every 15–30 minutes; if hydration is not improving, give the drip "
            "more rapidly.",
            "Give ORS (about 5 ml/kg/hour) as soon as the child can drink, usually after 3–4 hours "
            "(infants) or 1–2 hours (children).",
            "Reassess after 6 hours (infants) or 3 hours (children), classify dehydration and "
            "choose Plan A, B or C to continue.",
        ],
    ),
    _rt(
        "<h2>If IV treatment is not available</h2><p>If you are trained, give ORS by "
        "nasogastric tube, 20 ml/kg/hour for 6 hours (total 120 ml/kg), and refer urgently. "
        "If the child vomits repeatedly or the abdomen swells, give the fluid more slowly.</p>"
        "<h3>Zinc</h3><p>Once the child can eat, give zinc for 10 days: 10 mg a day under "
        "6 months, 20 mg a day from 6 months.</p>"
    ),
    _faq(
        [
            (
                "Can the mother keep breastfeeding?",
                "Yes. Breastfeeding continues as soon as the "
                "child can suck; it does not replace ORS.",
            ),
            (
                "What if no Ringer's lactate is in stock?",
                "Use normal saline 0.9%. Do not use 5% glucose alone.",
            ),
        ]
    ),
]

PLAN_C_KM = [
    _rt(
        "<h2>ពេលណាត្រូវប្រើផែនការ គ</h2><p>ប្រើផែនការ គ សម្រាប់កុមារដែល<b>ខ្សះជាតិទឹកធ្ងន់ធ្ងរ</b>៖ "
        "មានសញ្ញាចាប់ពីពីរឡើងទៅក្នុងចំណោមសញ្ញាខាងក្រោម។</p><ul><li>ល្ហិតល្ហៃ ឬសន្លប់</li>"
        "<li>ភ្នែកស្រុត</li><li>មិនអាចផឹកបាន ឬផឹកបានតិច</li>"
        "<li>ស្បែកដែលច្បិចត្រឡប់ទៅវិញយឺតខ្លាំង (២ វិនាទី ឬលើសពីនេះ)</li></ul>"
    ),
    _callout(
        "warning",
        "សញ្ញាគ្រោះថ្នាក់",
        "<p>កុមារដែលខ្សះជាតិទឹកធ្ងន់ធ្ងរ ហើយមានចំណាត់ថ្នាក់ធ្ងន់ធ្ងរផ្សេងទៀត "
        "(ឧទាហរណ៍ រលាកសួតធ្ងន់ធ្ងរ ឬកង្វះអាហារូបត្ថម្ភស្រួចស្រាវធ្ងន់ធ្ងរ) ត្រូវបញ្ជូនជាបន្ទាន់។ "
        "កុំផ្តល់សេរ៉ូមច្រើនដល់កុមារដែលកង្វះអាហារូបត្ថម្ភធ្ងន់ធ្ងរ។</p>",
    ),
    _rt(
        "<h2>ការផ្តល់សេរ៉ូមតាមសរសៃឈាម</h2><p>ចាប់ផ្តើមផ្តល់សេរ៉ូមភ្លាម។ ផ្តល់ Ringer's lactate "
        "(ឬ normal saline) ១០០ ml/kg ចែកដូចខាងក្រោម។</p>"
    ),
    _table(
        [
            ["អាយុ", "ដំបូងផ្តល់ ៣០ ml/kg ក្នុងរយៈពេល", "បន្ទាប់មកផ្តល់ ៧០ ml/kg ក្នុងរយៈពេល"],
            ["ទារក (ក្រោម ១២ ខែ)", "១ ម៉ោង*", "៥ ម៉ោង"],
            ["កុមារ (១២ ខែ ដល់ ៥ ឆ្នាំ)", "៣០ នាទី*", "២ ម៉ោងកន្លះ"],
        ],
        "* ធ្វើម្តងទៀតប្រសិនបើជីពចរនៅខ្សោយខ្លាំង ឬស្ទាបមិនឃើញ។",
    ),
    _steps(
        "ពេលកំពុងផ្តល់សេរ៉ូម",
        [
            "វាយតម្លៃកុមារឡើងវិញរៀងរាល់ ១៥–៣០ នាទី។ បើមិនប្រសើរឡើង ផ្តល់សេរ៉ូមឱ្យលឿនជាងមុន។",
            "ផ្តល់ ORS (ប្រហែល ៥ ml/kg/ម៉ោង) ភ្លាមៗនៅពេលកុមារអាចផឹកបាន។",
            "វាយតម្លៃឡើងវិញក្រោយ ៦ ម៉ោង (ទារក) ឬ ៣ ម៉ោង (កុមារ) ហើយជ្រើសរើសផែនការ ក ខ ឬ គ ដើម្បីបន្ត។",
        ],
    ),
    _rt(
        "<h2>បើគ្មានការព្យាបាលតាមសរសៃឈាម</h2><p>បើអ្នកបានទទួលការបណ្តុះបណ្តាល ផ្តល់ ORS តាមបំពង់ច្រមុះ "
        "២០ ml/kg/ម៉ោង រយៈពេល ៦ ម៉ោង (សរុប ១២០ ml/kg) ហើយបញ្ជូនជាបន្ទាន់។</p>"
        "<h3>ស័ង្កសី</h3><p>ពេលកុមារអាចញ៉ាំបាន ផ្តល់ស័ង្កសីរយៈពេល ១០ ថ្ងៃ៖ ១០ mg ក្នុងមួយថ្ងៃ សម្រាប់ក្រោម "
        "៦ ខែ និង ២០ mg ក្នុងមួយថ្ងៃ ចាប់ពី ៦ ខែឡើងទៅ។</p>"
    ),
    _faq(
        [("តើម្តាយអាចបន្តបំបៅដោះកូនបានទេ?", "បាន។ បន្តបំបៅដោះភ្លាមៗពេលកុមារអាចបៅបាន ប៉ុន្តែវាមិនជំនួស ORS ទេ។")]
    ),
]

PPH = [
    _callout(
        "warning",
        "Call for help first",
        "<p>Shout for help, note the time of birth and "
        "start the steps below together. One person records every drug and volume.</p>",
    ),
    _steps(
        "The first hour",
        [
            "Massage the uterus until it is firm; expel clots.",
            "Give oxytocin 10 IU IM (or IV slowly), even if already given for the third stage.",
            "Insert two large-bore IV cannulae; take blood for haemoglobin and cross-match.",
            "Start Ringer's lactate or normal saline; give the first litre fast.",
            "Give tranexamic acid 1 g IV over 10 minutes within 3 hours of birth.",
            "Empty the bladder; check that the placenta is complete and look for tears.",
            "Record pulse, blood pressure and blood loss every 15 minutes.",
        ],
    ),
    _rt(
        "<h2>Refer when</h2><ul><li>bleeding continues after the steps above</li>"
        "<li>the placenta is retained or incomplete</li>"
        "<li>systolic blood pressure stays below 90 mmHg</li></ul>"
        "<p>Keep the IV running and apply bimanual compression during transfer.</p>"
    ),
]

HAND_HYGIENE = [
    _rt(
        "<p>Most infections passed on in health facilities travel on hands. Clean your hands "
        "at each of the five moments, with alcohol rub when hands are not visibly dirty.</p>"
    ),
    _steps(
        "The five moments",
        [
            "Before touching a patient.",
            "Before a clean or aseptic procedure.",
            "After a risk of exposure to body fluids.",
            "After touching a patient.",
            "After touching a patient's surroundings.",
        ],
    ),
    _table(
        [
            ["Method", "Time", "When"],
            ["Alcohol hand rub", "20–30 seconds", "Hands not visibly soiled"],
            ["Soap and water", "40–60 seconds", "Visibly soiled; after diarrhoea cases"],
        ]
    ),
]

LEAVE_POLICY = [
    _rt(
        "<h2>Entitlement</h2><p>Civil servants are entitled to 18 working days of annual leave "
        "a year. Leave not taken may not be paid out.</p><h2>How to request</h2>"
    ),
    _steps(
        "",
        [
            "Fill in the leave request form at least 7 days before the first day.",
            "Your head of unit approves, or the acting head when they are away.",
            "Human resources records the leave and tells the payroll office.",
        ],
    ),
    _callout("note", "Sick leave", "<p>Sick leave over 3 days needs a medical certificate.</p>"),
]

ANNOUNCEMENT = [
    _rt(
        "<p>From 1 January all referrals between health centres and the provincial hospital "
        "use the new referral form. Paper forms of the old model are accepted until "
        "31 March.</p>"
    ),
]

NIGHT_DUTY = [
    _rt(
        "<h2>Rules</h2><ul><li>No one works more than two night shifts in a row.</li>"
        "<li>The roster is published two weeks ahead.</li>"
        "<li>Swaps are agreed by both staff and recorded by the head nurse.</li></ul>"
    ),
    _callout("note", "Confidential", "<p>This space is visible to hospital staff only.</p>"),
]


def _position(unit_code: str, title_en: str) -> Position | None:
    return Position.objects.filter(unit__code=unit_code, title_en=title_en).first()


def _tag(position: Position | None, tag: str) -> None:
    if position and tag not in position.tags:
        position.role_tags = " ".join([*position.tags, tag])
        position.save()


def _space(index, slug: str, title: str, **fields) -> KnowledgeSpacePage:
    members = fields.pop("member_units", [])
    space = KnowledgeSpacePage.objects.child_of(index).filter(slug=slug).first()
    if space is None:
        space = index.add_child(
            instance=KnowledgeSpacePage(title=title, slug=slug, live=False, **fields)
        )
        space.member_units.set(members)
        space.save()
        space.save_revision().publish()
    return space


def _article(space, slug: str, title: str, **fields) -> ArticlePage:
    page = ArticlePage.objects.child_of(space).filter(slug=slug).first()
    if page is None:
        tags = fields.pop("tags", [])
        page = space.add_child(instance=ArticlePage(title=title, slug=slug, live=False, **fields))
        page.tags.add(*tags)
        page.save_revision().publish()
    return page


def _translate(page, *, title: str, **fields):
    km = Locale.objects.get(language_code="km")
    existing = page.get_translation_or_none(km)
    if existing:
        return existing
    km_page = page.copy_for_translation(km, copy_parents=True)
    km_page.title = title
    for name, value in fields.items():
        setattr(km_page, name, value)
    km_page.save_revision().publish()
    return km_page


def _groups() -> None:
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    edit = Permission.objects.get(content_type__app_label="knowledge", codename="edit_spaces")
    editors, _c = Group.objects.get_or_create(name="Knowledge editors")
    reviewers, _c = Group.objects.get_or_create(name="Knowledge reviewers")
    # Editors edit space by space (knowledge.permissions), never from the index down.
    editors.permissions.add(access, edit)
    reviewers.permissions.add(access)
    for username, group in (("nurse", editors), ("doctor", reviewers), ("manager", reviewers)):
        person = demo_person(username)
        if person.user_id:
            person.user.groups.add(group)


def seed() -> None:
    index = ensure_tree()
    today = clock.now().date()
    hospital = OrgUnit.objects.get(code=HOSPITAL)
    paediatrician = _position(HOSPITAL, "Paediatrician")
    obstetrician = _position(HOSPITAL, "Obstetrician")
    _tag(_position(HOSPITAL, "Deputy hospital director"), REVIEWER_TAG)
    _tag(paediatrician, REVIEWER_TAG)
    _tag(_position(HOSPITAL, "Hospital director"), APPROVER_TAG)
    _tag(_position("MOH-DHS", "Director of Hospital Services"), REVIEWER_TAG)
    _tag(_position("MOH", "Minister of Health"), APPROVER_TAG)
    _groups()

    clinical = _space(
        index,
        "clinical-guidelines",
        "Clinical guidelines",
        unit=hospital,
        intro="Guidelines approved for use in the provincial hospital and its health centres.",
    )
    plan_c = _article(
        clinical,
        "severe-dehydration-plan-c",
        "Severe dehydration in children: Plan C",
        article_type="guideline",
        body=PLAN_C_EN,
        owner_position=paediatrician,
        summary="Intravenous rehydration for children under 5 with severe dehydration.",
        audience="Doctors, nurses and midwives",
        review_date=today + timedelta(days=25),
        last_reviewed=today - timedelta(days=340),
        tags=["diarrhoea", "paediatrics"],
    )
    _translate(
        plan_c,
        title="ការខ្សះជាតិទឹកធ្ងន់ធ្ងរចំពោះកុមារ៖ ផែនការ គ",
        body=PLAN_C_KM,
        summary="ការផ្តល់សេរ៉ូមតាមសរសៃឈាមសម្រាប់កុមារអាយុក្រោម ៥ ឆ្នាំដែលខ្សះជាតិទឹកធ្ងន់ធ្ងរ។",
        audience="គ្រូពេទ្យ គិលានុបដ្ឋាក និងឆ្មប",
    )
    _article(
        clinical,
        "postpartum-haemorrhage",
        "Postpartum haemorrhage: the first hour",
        article_type="guideline",
        body=PPH,
        owner_position=obstetrician,
        summary="What the team does in the first hour of heavy bleeding after birth.",
        audience="Midwives and doctors",
        review_date=today - timedelta(days=12),
        last_reviewed=today - timedelta(days=377),
        tags=["maternal-health", "emergency"],
    )
    _article(
        clinical,
        "hand-hygiene",
        "Hand hygiene: the five moments",
        article_type="howto",
        body=HAND_HYGIENE,
        owner_position=_position(HOSPITAL, "Head nurse"),
        audience="All clinical staff",
        review_date=today + timedelta(days=200),
        last_reviewed=today - timedelta(days=165),
        tags=["infection-prevention"],
    )
    policies = _space(
        index, "policies", "Policies and announcements", unit=OrgUnit.objects.get(code="MOH")
    )
    _article(
        policies,
        "annual-leave",
        "Annual leave for civil servants",
        article_type="policy",
        body=LEAVE_POLICY,
        owner_position=_position("MOH-DPER", "Director of Personnel"),
        audience="All staff",
        review_date=today + timedelta(days=300),
        last_reviewed=today - timedelta(days=65),
        tags=["human-resources"],
    )
    _article(
        policies,
        "new-referral-form",
        "New referral form from 1 January",
        article_type="announcement",
        body=ANNOUNCEMENT,
        audience="Health centres and hospital",
        owner_position=_position("MOH-DHS", "Director of Hospital Services"),
    )
    management = _space(
        index,
        "hospital-management",
        "Hospital management",
        unit=hospital,
        private=True,
        member_units=[hospital],
        intro="For staff of the provincial hospital only.",
    )
    _article(
        management,
        "night-duty-roster",
        "Night duty roster rules",
        article_type="policy",
        body=NIGHT_DUTY,
        owner_position=_position(HOSPITAL, "Head nurse"),
        review_date=today + timedelta(days=120),
        last_reviewed=today - timedelta(days=30),
    )
