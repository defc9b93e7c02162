"""The form field kinds beyond the plain ones of ``forms.py``: money (riel or dollars),
date range, person, org unit and file; and computed values (the mission order's per-diem).

Each kind cleans to what the request stores as JSON: riel as an integer, dollars as a
number with two decimals, a date range as ``[first, last]`` ISO dates, a person as their
employee id, a unit as its code, a file as the name of the uploaded file (the file itself
becomes an ``Attachment`` of the request)."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.directory.models import OrgUnit, Person

EXTRA_KINDS = ("money", "daterange", "person", "unit", "file")
CURRENCIES = ("riel", "usd")
TYPEAHEAD = "/api/v1/directory/typeahead"


class MoneyField(forms.DecimalField):
    def __init__(self, *, currency: str, **kwargs):
        self.currency = currency
        places = 0 if currency == "riel" else 2
        super().__init__(min_value=Decimal(0), max_digits=15, decimal_places=places, **kwargs)
        self.error_messages["max_decimal_places"] = (
            _("Riel amounts are whole numbers.") if currency == "riel"
            else _("Dollar amounts have at most 2 decimals (cents).")
        )
        self.widget.attrs.update({"inputmode": "decimal", "data-currency": currency})

    def to_python(self, value):
        if isinstance(value, str):  # people type "1,500,000" or "1 500 000"
            value = value.replace(",", "").replace(" ", "").replace("\u00a0", "")
        return super().to_python(value)


class DateRangeWidget(forms.MultiWidget):
    def __init__(self):
        super().__init__([
            forms.DateInput(attrs={"type": "date", "aria-label": _("First day")}),
            forms.DateInput(attrs={"type": "date", "aria-label": _("Last day")}),
        ], attrs=None)
        self.widgets_names = ["_start", "_end"]

    def decompress(self, value):
        return list(value) if value else [None, None]

    def value_from_datadict(self, data, files, name):
        given = data.get(name)  # the API sends {"start": ..., "end": ...} or [first, last]
        if isinstance(given, dict):
            return [given.get("start"), given.get("end")]
        if isinstance(given, list | tuple) and len(given) == 2:
            return list(given)
        return super().value_from_datadict(data, files, name)


class DateRangeField(forms.MultiValueField):
    widget = DateRangeWidget

    def __init__(self, *, max_days: int | None = None, **kwargs):
        self.max_days = max_days
        super().__init__(fields=(forms.DateField(), forms.DateField()),
                         require_all_fields=True, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return None
        first, last = data_list
        if last < first:
            raise forms.ValidationError(_("The last day is before the first day."),
                                        code="range_order")
        if self.max_days and (last - first).days + 1 > self.max_days:
            raise forms.ValidationError(
                _("At most %(days)s days.") % {"days": self.max_days}, code="range_length")
        return [first, last]


class PersonField(forms.CharField):
    """An employee id, typed or chosen with the directory's picker (Khmer or Latin name)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=64, widget=forms.TextInput(attrs={
            "data-picker": TYPEAHEAD,
            "data-picker-label": _("Find the person by name (Khmer or Latin)"),
        }), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not Person.objects.filter(employee_id=value, active=True).exists():
            raise forms.ValidationError(
                _("Nobody in the directory has the employee id “%(id)s”.") % {"id": value},
                code="unknown_person")
        return value


class UnitField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=64, widget=forms.TextInput(attrs={
            "data-picker": TYPEAHEAD, "data-picker-type": "unit",
            "data-picker-label": _("Find the unit by name (Khmer or English) or code"),
        }), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not OrgUnit.objects.filter(code=value).exists():
            raise forms.ValidationError(
                _("There is no unit with the code “%(code)s”.") % {"code": value},
                code="unknown_unit")
        return value


class WorkflowFileField(forms.FileField):
    """The upload is checked like a chat upload (size, type from its bytes) when the
    request stores it (``attachments.add``); here only that it is there."""

    def to_python(self, data):
        if isinstance(data, str) and data:
            raise forms.ValidationError(
                _("Send the file itself (a form upload), not its name."), code="not_a_file")
        return super().to_python(data)


def extra_field(spec: dict, common: dict) -> forms.Field:
    kind = spec["kind"]
    if kind == "money":
        return MoneyField(currency=spec.get("currency", "riel"), max_value=spec.get("max"),
                          **common)
    if kind == "daterange":
        return DateRangeField(max_days=spec.get("max_days"), **common)
    if kind == "person":
        return PersonField(**common)
    if kind == "unit":
        return UnitField(**common)
    if kind == "file":
        return WorkflowFileField(**common)
    raise ValueError(f"unknown field kind {kind!r}")


def stored(value):
    """A cleaned value as the request's JSON keeps it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [stored(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "read"):  # an upload: the request keeps its name, the file is attached
        return value.name
    return value


def check_extra(spec: dict) -> list[str]:
    name = spec["name"]
    if spec["kind"] == "money" and spec.get("currency", "riel") not in CURRENCIES:
        return [f"{name}: 'currency' must be one of {CURRENCIES}"]
    if spec.get("compute") and spec["compute"] not in COMPUTED:
        return [f"{name}: 'compute' must be one of {tuple(COMPUTED)}"]
    return []


# Demo per-diem rates, riel per day: the capital and the big tourist provinces cost more.
PER_DIEM_RIEL = {"12": 80_000, "17": 70_000, "18": 70_000}  # Phnom Penh, Siem Reap, Preah Sihanouk
PER_DIEM_DEFAULT_RIEL = 50_000


def per_diem(data: dict) -> int:
    """Days of the trip (both ends counted) × the destination's daily rate, in riel."""
    first, last = (date.fromisoformat(d) for d in data["trip"])
    rate = PER_DIEM_RIEL.get(data.get("destination", ""), PER_DIEM_DEFAULT_RIEL)
    return ((last - first).days + 1) * rate


# Values a form may compute from its other fields, by name (a definition names one; it
# cannot bring code of its own).
COMPUTED = {"per_diem": per_diem}


def compute(fields: list[dict], data: dict) -> dict:
    """``data`` with each computed field filled in."""
    out = dict(data)
    for spec in fields:
        if spec.get("compute"):
            out[spec["name"]] = COMPUTED[spec["compute"]](out)
    return out


def shown(field: forms.Field, value) -> str | None:
    """A stored value of one of these kinds as the reader's language writes it (None: not
    one of these kinds)."""
    from collab.core import formatting

    if isinstance(field, MoneyField):
        if field.currency == "riel":
            return _("%(amount)s riel") % {"amount": formatting.number(value, 0)}
        return "$" + formatting.number(value, 2)
    if isinstance(field, DateRangeField):
        first, last = (date.fromisoformat(d) for d in value)
        return _("%(first)s to %(last)s (%(days)s days)") % {
            "first": formatting.when(first, "date"), "last": formatting.when(last, "date"),
            "days": formatting.number((last - first).days + 1, 0)}
    if isinstance(field, PersonField):
        person = Person.objects.filter(employee_id=value).first()
        return person.name() if person else value
    if isinstance(field, UnitField):
        unit = OrgUnit.objects.filter(code=value).first()
        return unit.name() if unit else value
    if isinstance(field, WorkflowFileField):
        return value
    return None


def computed_fields(fields: list[dict]) -> dict[str, forms.Field]:
    """Display-only fields for the computed values (their label and kind)."""
    from .forms import _field

    return {spec["name"]: _field({**spec, "required": False})
            for spec in fields if spec.get("compute")}
