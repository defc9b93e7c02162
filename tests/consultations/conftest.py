from datetime import date, timedelta

import pytest

from collab.core.clock import now
from collab.directory.models import Person
from collab.health.models import Patient


@pytest.fixture(autouse=True)
def _private_clock(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def _person(django_user_model, username: str, employee_id: str) -> Person:
    user = django_user_model.objects.create_user(username, password="x")
    return Person.objects.create(
        user=user, employee_id=employee_id, family_name_en="Sok", given_name_en=username,
        family_name_km="សុខ", given_name_km="ដារា",
    )


@pytest.fixture
def doctor(django_user_model) -> Person:
    return _person(django_user_model, "dr-dara", "E100")


@pytest.fixture
def other_doctor(django_user_model) -> Person:
    return _person(django_user_model, "dr-other", "E200")


@pytest.fixture
def patient() -> Patient:
    return Patient.objects.create(
        health_id="KH-0001", family_name_latin="Chan", given_name_latin="Srey",
        family_name_km="ចាន់", given_name_km="ស្រី", sex="female",
        birth_date=date(1990, 5, 17), phone="+855 12 345 678",
    )


@pytest.fixture
def appointment(doctor, patient):
    from collab.consultations.services import book_appointment

    return book_appointment(
        booked_by=doctor.user, health_id="kh-0001", doctor=doctor,
        scheduled_for=now() + timedelta(hours=1), reason="Fever for three days",
    )


@pytest.fixture(autouse=True)
def _private_media_in_tmp(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def outsider(django_user_model) -> Person:
    """A trainee: a login in the directory with no part in any consultation."""
    return _person(django_user_model, "trainee", "E300")
