"""People pickers: meeting invitees from the directory, patients by name or Health ID (only
those the user may see)."""

import pytest
from django.test import Client

from collab.health.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient():
    return Patient.objects.create(
        health_id="KH-01-000777", family_name_km="សុខ", given_name_km="ចាន់ថា",
        family_name_latin="Sok", given_name_latin="Chantha",
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("q", ["chant", "ចាន់", "kh-01-0007"])
def test_patient_picker_finds_by_latin_khmer_name_or_health_id(q, patient, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    items = client_for(admin).get("/health/patients/find/", {"q": q}).json()["items"]
    assert items == [{"key": "KH-01-000777", "name_km": "សុខ ចាន់ថា", "name_en": "Sok Chantha"}]


def test_patient_picker_shows_only_patients_the_user_may_see(patient, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", password="x")
    assert client_for(stranger).get("/health/patients/find/", {"q": "Sok"}).json() == {
        "items": []
    }
    assert Client().get("/health/patients/find/", {"q": "Sok"}).status_code == 302


def test_forms_carry_the_pickers(django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client = client_for(admin)
    meetings = client.get("/meetings/").content.decode()
    assert 'data-picker="/api/v1/directory/typeahead"' in meetings
    assert "data-picker-multiple" in meetings and "sahakar/js/picker" in meetings
    for path in ("/health/referrals/new/", "/consultations/"):
        html = client.get(path).content.decode()
        assert 'data-picker="/health/patients/find/"' in html, path
