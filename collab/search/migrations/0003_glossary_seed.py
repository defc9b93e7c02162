"""The first reviewed entries of the bilingual medical glossary (editable in the admin)."""

from django.db import migrations

ENTRIES = [
    ("គ្រុនឈាម", "dengue", "dengue fever, DHF"),
    ("គ្រុនចាញ់", "malaria", ""),
    ("របេង", "tuberculosis", "TB"),
    ("រាគរូស", "diarrhoea", "diarrhea, រាគ"),
    ("អាសន្នរោគ", "cholera", ""),
    ("គ្រុនពោះវៀន", "typhoid", "typhoid fever"),
    ("កញ្ជ្រឹល", "measles", ""),
    ("រលាកសួត", "pneumonia", ""),
    ("រលាកថ្លើម", "hepatitis", ""),
    ("មេរោគអេដស៍", "HIV", "អេដស៍, AIDS"),
    ("ទឹកនោមផ្អែម", "diabetes", ""),
    ("លើសសម្ពាធឈាម", "hypertension", "high blood pressure"),
    ("ដាច់សរសៃឈាមខួរក្បាល", "stroke", ""),
    ("ហឺត", "asthma", ""),
    ("ស្លេកស្លាំង", "anaemia", "anemia"),
    ("កង្វះអាហារូបត្ថម្ភ", "malnutrition", ""),
    ("គ្រុន", "fever", ""),
    ("ក្អក", "cough", ""),
    ("វ៉ាក់សាំង", "vaccine", "vaccination, immunisation, ការចាក់ថ្នាំបង្ការ"),
    ("ការមានផ្ទៃពោះ", "pregnancy", ""),
    ("ការលាងដៃ", "hand washing", "hand hygiene, លាងដៃ"),
    ("ការឆ្លងមេរោគ", "infection", ""),
    ("ការបង្ការការឆ្លងមេរោគ", "infection prevention", "IPC"),
    ("ស័ង្កសី", "zinc", ""),
    ("ទឹកអំបិលខ្សោះជាតិ", "oral rehydration salts", "ORS"),
]


def seed(apps, schema_editor):
    entry = apps.get_model("search", "GlossaryEntry")
    for km, en, synonyms in ENTRIES:
        entry.objects.get_or_create(
            term_km=km, term_en=en, defaults={"synonyms": synonyms, "reviewed": True}
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_glossary_entry")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
