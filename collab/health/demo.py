"""Demo patients and a lab-system login (``manage.py seed_demo`` calls ``seed()``)."""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from .models import Patient

PATIENTS = (
    ("KH-05-000101", "សុខ", "ពិសិដ្ឋ", "Sok", "Piseth", "male", date(2022, 3, 14)),
    ("KH-05-000102", "ចាន់", "ស្រីពៅ", "Chan", "Sreypov", "female", date(2019, 11, 2)),
    ("KH-05-000103", "លឹម", "វណ្ណា", "Lim", "Vanna", "male", date(2024, 6, 30)),
    ("KH-05-000104", "ហេង", "ម៉ានី", "Heng", "Many", "female", date(1996, 1, 21)),
    ("KH-05-000105", "គង់", "រតនៈ", "Kong", "Rathana", "male", date(1958, 8, 9)),
)
LAB_SYSTEM_USERNAME = "lab-system"


def seed() -> None:
    for health_id, family_km, given_km, family, given, sex, born in PATIENTS:
        Patient.objects.update_or_create(
            health_id=health_id,
            defaults={"family_name_km": family_km, "given_name_km": given_km,
                      "family_name_latin": family, "given_name_latin": given, "sex": sex,
                      "birth_date": born},
        )
    # A lab information system posts results with a personal token of this login
    # (create the token in the admin: Accounts › Personal API tokens).
    user, _ = get_user_model().objects.get_or_create(username=LAB_SYSTEM_USERNAME)
    if user.has_usable_password():
        user.set_unusable_password()
        user.save()
    user.user_permissions.add(Permission.objects.get(codename="add_labresult",
                                                     content_type__app_label="health"))
