"""Dates, times and numbers in the reader's language, formatted on the server with Babel's
CLDR data (Django's own Khmer catalogue has no weekday names, and phones' `Intl` often has
no Khmer at all).

One rule for digits everywhere: Latin digits (0-9) in both languages, as CLDR's default
numbering for Khmer; month and weekday names are Khmer in Khmer. Times are 24-hour, so no
Latin AM/PM appears in a Khmer page.
"""

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime, get_day_names, get_month_names
from babel.numbers import format_decimal
from django.utils import timezone
from django.utils.translation import get_language

# name -> CLDR pattern; every style shows the same fields in both languages.
PATTERNS = {
    "date": "d MMM y",  # 3 ធ្នូ 2026 / 3 Dec 2026
    "datetime": "d MMM y HH:mm",
    "day": "EEE d MMM",  # ព្រហ 3 ធ្នូ / Thu 3 Dec
    "daytime": "EEE d MMM HH:mm",
    "time": "HH:mm",
}


def locale() -> str:
    return "km" if (get_language() or "").startswith("km") else "en"


def when(value: datetime | date | None, style: str = "datetime") -> str:
    if value is None or value == "":
        return ""
    pattern = PATTERNS[style]
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return format_datetime(value, pattern, locale=locale())
    return format_date(value, pattern, locale=locale())


def number(value, decimals: int = 1) -> str:
    """100.00 -> "100", 87.50 -> "87.5": no trailing zeros, the locale's separators."""
    if value is None or value == "":
        return ""
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(Decimal(str(value)), pattern, locale=locale())


def calendar_names() -> dict[str, list[str]]:
    """Abbreviated month (January first) and weekday (Sunday first, as JavaScript's
    getDay()) names for scripts that format times themselves."""
    days = get_day_names("abbreviated", locale=locale())
    months = get_month_names("abbreviated", locale=locale())
    return {
        "months": [months[m] for m in range(1, 13)],
        "days": [days[(d + 6) % 7] for d in range(7)],
    }
