"""The definitions the suite ships (seeded by ``seed_demo``): their diagrams live in
``bpmn/``, their forms here."""

from pathlib import Path

from . import services
from .models import Definition

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

BUILTINS = (
    ("leave-request", "Leave request", "សំណើសុំច្បាប់",
     "Approved by the head of your unit; leave of more than 3 days also by the unit above.",
     "អនុម័តដោយប្រធានអង្គភាពរបស់អ្នក។ ច្បាប់លើសពី ៣ ថ្ងៃ ត្រូវអនុម័តដោយអង្គភាពថ្នាក់លើផងដែរ។",
     "leave_request", LEAVE_FORM),
    ("purchase-request", "Purchase request", "សំណើសុំទិញ",
     "Approved by the head of your unit; above 4,000,000 riel also by the director above.",
     "អនុម័តដោយប្រធានអង្គភាពរបស់អ្នក។ លើសពី ៤ ០០០ ០០០ រៀល ត្រូវអនុម័តដោយនាយកថ្នាក់លើផងដែរ។",
     "purchase_request", PURCHASE_FORM),
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
