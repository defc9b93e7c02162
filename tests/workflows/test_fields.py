"""The form field kinds money, date range, person, org unit and file: the page and the API
clean them the same way, with Khmer and English messages; the mission order computes its
per-diem from them."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from collab.workflows import services
from collab.workflows.forms import check_fields, request_form
from collab.workflows.models import Definition, Request, Step

pytestmark = pytest.mark.django_db
BASE = "/api/v1/workflows"

FORM = [
    {"name": "riel", "kind": "money", "currency": "riel", "label_en": "Riel", "label_km": "រៀល"},
    {"name": "usd", "kind": "money", "currency": "usd", "label_en": "Dollars",
     "label_km": "ដុល្លារ", "required": False},
    {"name": "trip", "kind": "daterange", "label_en": "Trip", "label_km": "ដំណើរ",
     "max_days": 10},
    {"name": "who", "kind": "person", "label_en": "Who", "label_km": "អ្នកណា"},
    {"name": "where", "kind": "unit", "label_en": "Unit", "label_km": "អង្គភាព"},
    {"name": "scan", "kind": "file", "label_en": "Scan", "label_km": "ស្កេន", "required": False},
]
GOOD = {"riel": "1,500,000", "usd": "12.50", "trip_start": "2026-12-20",
        "trip_end": "2026-12-22", "who": "E-deputy", "where": "HC"}


def _errors(data, language="en"):
    with translation.override(language):
        form = request_form(FORM, data=data)
        form.is_valid()
        return {name: " ".join(errors) for name, errors in form.errors.items()}


def test_good_answers_are_stored_as_plain_json(world):
    form = request_form(FORM, data=GOOD)
    assert form.is_valid(), form.errors
    from collab.workflows.forms import as_json

    assert as_json(form.cleaned_data) == {
        "riel": 1500000, "usd": 12.5, "trip": ["2026-12-20", "2026-12-22"],
        "who": "E-deputy", "where": "HC", "scan": None}


@pytest.mark.parametrize(("field", "value", "english", "khmer"), [
    ("riel", "12.5", "Riel amounts are whole numbers.", "ចំនួនទឹកប្រាក់រៀលត្រូវជាចំនួនគត់។"),
    ("usd", "1.005", "Dollar amounts have at most 2 decimals (cents).",
     "ចំនួនទឹកប្រាក់ដុល្លារមានខ្ទង់ទសភាគយ៉ាងច្រើន ២ (សេន)។"),
    ("trip_end", "2026-12-19", "The last day is before the first day.",
     "ថ្ងៃចុងក្រោយនៅមុនថ្ងៃដំបូង។"),
    ("trip_end", "2027-01-30", "At most 10 days.", "យ៉ាងច្រើន 10 ថ្ងៃ។"),
    ("who", "E-nobody", "Nobody in the directory has the employee id “E-nobody”.",
     "គ្មាននរណាម្នាក់ក្នុងបញ្ជីឈ្មោះមានអត្តលេខមន្ត្រី “E-nobody” ទេ។"),
    ("where", "XX", "There is no unit with the code “XX”.",
     "គ្មានអង្គភាពដែលមានលេខកូដ “XX” ទេ។"),
], ids=["riel-decimals", "usd-decimals", "range-order", "range-length", "person", "unit"])
def test_bad_answers_are_refused_in_english_and_khmer(world, field, value, english, khmer):
    name = field.split("_")[0]
    assert _errors({**GOOD, field: value}) == {name: english}
    assert _errors({**GOOD, field: value}, "km") == {name: khmer}


def test_a_negative_amount_and_a_missing_end_are_refused(world):
    errors = _errors({**GOOD, "riel": "-5", "trip_end": ""})
    assert set(errors) == {"riel", "trip"}


def test_the_field_list_names_a_currency_and_a_known_computation():
    assert check_fields([{"name": "a", "kind": "money", "currency": "eur"},
                         {"name": "b", "kind": "money", "compute": "salary"}]) == [
        "a: 'currency' must be one of ('riel', 'usd')",
        "b: 'compute' must be one of ('per_diem',)"]


def test_the_api_validates_the_same_way_in_khmer(client, world):
    world.nurse.user.profile.language = "km"
    world.nurse.user.profile.save()
    client.force_login(world.nurse.user)
    response = client.post(f"{BASE}/requests", {"definition": "mission-order", "data": {
        "purpose": "Supervision", "destination": "12", "transport": "public",
        "trip": {"start": "2026-12-22", "end": "2026-12-20"}, "companion": "E-nobody",
    }}, content_type="application/json", headers={"accept-language": "km"})
    assert response.status_code == 422, response.content
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {"trip": "ថ្ងៃចុងក្រោយនៅមុនថ្ងៃដំបូង។",
                      "companion": "គ្មាននរណាម្នាក់ក្នុងបញ្ជីឈ្មោះមានអត្តលេខមន្ត្រី “E-nobody” ទេ។"}
    assert not Request.objects.exists()


def test_a_file_field_cannot_be_given_a_name_through_the_api(client, world):
    client.force_login(world.nurse.user)
    response = client.post(f"{BASE}/requests", {"definition": "incoming-letter", "data": {
        "sender": "Ministry of Health", "letter_date": "2026-12-01", "subject": "Vaccines",
        "scan": "letter.pdf"}}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "scan", "message": "This field is required."}]


def test_mission_order_computes_the_per_diem_and_a_large_one_goes_up(client, world):
    mission = Definition.objects.get(key="mission-order")
    data = {"purpose": "Measles campaign", "destination": "12", "transport": "unit_car",
            "trip_start": "2026-12-01", "trip_end": "2026-12-03", "companion": "E-deputy"}
    short = services.start_request(person=world.nurse, definition=mission, data=data)
    assert short.data["per_diem_riel"] == 3 * 80_000  # Phnom Penh, both ends counted
    assert short.registry.prefix == "MO"
    [step] = short.steps.all()
    services.decide(person=world.head, step=step, decision="approved")
    short.refresh_from_db()
    assert short.status == Request.Status.APPROVED

    long = services.start_request(person=world.nurse, definition=mission,
                                  data={**data, "destination": "09", "trip_end": "2026-12-30"})
    assert long.data["per_diem_riel"] == 30 * 50_000
    services.decide(person=world.head, step=long.steps.get(), decision="approved")
    [second] = long.steps.filter(status=Step.Status.OPEN)
    assert (second.role, second.unit) == ("approver", world.org.od)

    client.force_login(world.nurse.user)
    page = client.get(f"/workflows/requests/{long.pk}/").content.decode()
    assert "Koh Kong" in page and "1,500,000 riel" in page and "Deputy Test" in page
    assert "1 Dec 2026 to 30 Dec 2026 (30 days)" in page
    with pytest.raises(ValidationError):
        services.start_request(person=world.nurse, definition=mission,
                               data={**data, "destination": "99"})
