"""Khmer pages show Khmer values: dates and times with Khmer names (Latin digits, 24-hour,
collab.core.formatting), role tags and languages as labels, people by their Khmer name,
scores without trailing zeros; chat gets the calendar names it formats times with."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from collab.accounts.services import set_language
from collab.core import formatting
from tests.directory import factories as f

THURSDAY = dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC)  # 21:05 in Phnom Penh


@pytest.fixture
def khmer(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    yield client
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.parametrize(
    "language, style, expected",
    [
        ("km", "daytime", "ព្រហ 3 ធ្នូ 21:05"),
        ("en", "daytime", "Thu 3 Dec 21:05"),
        ("km", "date", "3 ធ្នូ 2026"),
        ("km", "datetime", "3 ធ្នូ 2026 21:05"),
        ("km", "time", "21:05"),
    ],
)
def test_dates_use_the_readers_language_and_the_suites_time_zone(language, style, expected):
    with translation.override(language):
        assert formatting.when(THURSDAY, style) == expected


@pytest.mark.parametrize(
    "value, expected",
    [(Decimal("100.00"), "100"), (Decimal("87.50"), "87.5"), (66.666, "66.7"), (0, "0")],
)
@pytest.mark.parametrize("language", ["km", "en"])
def test_scores_have_no_trailing_zeros_in_either_language(language, value, expected):
    with translation.override(language):
        assert formatting.number(value) == expected


@pytest.mark.django_db
def test_person_page_in_khmer_has_no_english_or_raw_values(khmer):
    hospital = f.unit("PRH-K", name_km="មន្ទីរពេទ្យខេត្ត")
    doctor = f.person(
        "Pisey", "Sreng", family_name_km="ស្រេង", given_name_km="ពិសី", languages="km,en"
    )
    f.position(hospital, "unit-head specialist:paediatrics hr on-call-lead", holder=doctor)
    f.shift(hospital, "paediatrics", doctor, THURSDAY, THURSDAY + dt.timedelta(hours=12))
    user = get_user_model().objects.create_user("pisey", password="x-Secret-1")
    doctor.user = user
    doctor.save()
    set_language(user=user, language="km")
    khmer.force_login(user)

    page = khmer.get(f"/directory/people/{doctor.employee_id}/").content.decode()
    assert re.search(r"<summary>\s*ស្រេង ពិសី\s*</summary>", page)  # the user menu
    assert "ប្រធានអង្គភាព" in page and "គ្រូពេទ្យឯកទេស៖ កុមារ" in page
    assert "ធនធានមនុស្ស" in page and "on call lead" in page  # unknown tag: readable
    assert "specialist:paediatrics" not in page and ">unit-head<" not in page
    assert "ភាសាខ្មែរ, ភាសាអង់គ្លេស" in page and "km,en" not in page
    assert "ព្រហ 3 ធ្នូ 21:05" in page and " សុក្រ 4 ធ្នូ 09:05" in page
    assert "Thu" not in page and "Fri" not in page


@pytest.mark.django_db
def test_chat_page_carries_the_calendar_names_in_the_readers_language(khmer):
    user = get_user_model().objects.create_user("reader", password="x-Secret-1")
    set_language(user=user, language="km")
    khmer.force_login(user)
    page = khmer.get("/chat/").content.decode()
    strings = json.loads(re.search(r'id="chat-strings"[^>]*>(.*?)</script>', page).group(1))
    assert strings["calendar"]["days"][4] == "ព្រហ"  # getDay(): Sunday is 0
    assert strings["calendar"]["months"][11] == "ធ្នូ"
