"""Reading and validating an HR file for ``import_directory`` (no writes here).

Every problem is collected — with its line number and column — before anything is
written, so an operator fixes the whole file in one pass.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

COLUMNS = (
    "employee_id",
    "family_name_km",
    "given_name_km",
    "family_name_en",
    "given_name_en",
    "email",
    "phone",
    "org_unit_code",
    "position_title_en",
    "position_title_km",
)
REQUIRED = frozenset(COLUMNS) - {"email", "phone", "position_title_km"}
# The model's max_length of the field each column lands in.
MAX_LENGTH = {
    "employee_id": 32,
    "family_name_km": 100,
    "given_name_km": 100,
    "family_name_en": 100,
    "given_name_en": 100,
    "email": 254,
    "phone": 40,
    "org_unit_code": 32,
    "position_title_en": 200,
    "position_title_km": 200,
}
KHMER_COLUMNS = ("family_name_km", "given_name_km")
LATIN_COLUMNS = ("family_name_en", "given_name_en")
_KHMER = re.compile("[\u1780-\u17ff\u19e0-\u19ff]")
_PHONE = re.compile(r"\+?[0-9][0-9 ().-]{2,39}")
_EMPLOYEE_ID = re.compile(r"\S+")
# Invisible characters Khmer keyboards insert; kept out of names so substring search works.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_email = EmailValidator()
# Most addresses are plain ASCII dot-atoms: accept those with one compiled regex (a subset
# of what EmailValidator accepts) and leave the rest to EmailValidator, which is ~10x slower.
_PLAIN_EMAIL = re.compile(
    r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.line:  # about the file as a whole
            return self.message
        return _("line %(line)d, column %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column or "-",
            "message": self.message,
        }


@dataclass
class Row:
    line: int
    values: dict[str, str]
    unit_id: int

    def __getitem__(self, column: str) -> str:
        return self.values[column]


def _decode(data: bytes, errors: list[RowError]) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    header = data.split(b"\n", 1)[0].decode("utf-8-sig", "replace").strip().split(",")
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            index = raw[: exc.start].count(b",")
            column = header[index].strip() if index < len(header) else ""
            errors.append(
                RowError(
                    number,
                    column,
                    _("not valid UTF-8 (byte %(byte)d of the line); save the file as UTF-8")
                    % {"byte": exc.start + 1},
                )  # noqa: E501
            )
    return data.decode("utf-8-sig", "replace")


def _clean(value: str) -> str:
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFC", value.translate(_INVISIBLE)).strip()


def _check(values: dict[str, str], line: int, unit_ids: dict[str, int]) -> list[RowError]:
    errors = []
    for column in COLUMNS:
        value = values[column]
        if not value:
            if column in REQUIRED:
                errors.append(RowError(line, column, _("required, but empty")))
            continue
        if len(value) > MAX_LENGTH[column]:
            errors.append(
                RowError(
                    line,
                    column,
                    _("too long: %(length)d characters, at most %(max)d")
                    % {"length": len(value), "max": MAX_LENGTH[column]},
                )
            )
            continue
        if column in KHMER_COLUMNS and not _KHMER.search(value):
            errors.append(RowError(line, column, _("must be written in Khmer script")))
        elif column in LATIN_COLUMNS and _KHMER.search(value):
            errors.append(RowError(line, column, _("must be written in Latin letters")))
        elif column == "employee_id" and not _EMPLOYEE_ID.fullmatch(value):
            errors.append(RowError(line, column, _("must not contain spaces")))
        elif column == "email" and not _PLAIN_EMAIL.fullmatch(value):
            try:
                _email(value)
            except ValidationError:
                errors.append(
                    RowError(
                        line,
                        column,
                        _("“%(value)s” is not a valid email address") % {"value": value},
                    )  # noqa: E501
                )
        elif column == "phone" and not _PHONE.fullmatch(value):
            errors.append(
                RowError(
                    line,
                    column,
                    _("“%(value)s” is not a phone number (digits, spaces, + ( ) . -)")
                    % {"value": value},
                )  # noqa: E501
            )
        elif column == "org_unit_code" and value not in unit_ids:
            errors.append(
                RowError(line, column, _("unknown org unit code “%(value)s”") % {"value": value})
            )
    return errors


def _records(reader, errors: list[RowError]) -> Iterable[list[str]]:
    """The reader's records; a CSV syntax error ends the file (it cannot resync)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(
                RowError(reader.line_num, "", _("unreadable CSV: %(error)s") % {"error": exc})
            )
            return


def read_rows(
    data: bytes,
    *,
    unit_ids: dict[str, int],
    progress: Callable[[Iterable], Iterable] = lambda it: it,
) -> tuple[list[Row], list[RowError]]:
    """Parse and validate the whole file. ``unit_ids`` maps org unit code → pk."""
    errors: list[RowError] = []
    text = _decode(data, errors)
    bad_lines = {e.line for e in errors}
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return [], [RowError(1, "", _("the file is empty"))]
    except csv.Error as exc:
        return [], [*errors, RowError(1, "", _("unreadable CSV: %(error)s") % {"error": exc})]
    for column in COLUMNS:
        if column not in header:
            errors.append(RowError(1, column, _("missing column")))
    for column in header:
        if column not in COLUMNS:
            errors.append(RowError(1, column, _("unknown column")))
    if len(set(header)) != len(header):
        errors.append(RowError(1, "", _("a column appears twice")))
    if any(e.line == 1 for e in errors):
        return [], errors

    rows: list[Row] = []
    first_line: dict[str, int] = {}
    line = 1
    for record in progress(_records(reader, errors)):
        line = reader.line_num
        if not record or not any(cell.strip() for cell in record):
            continue
        if line in bad_lines:
            continue
        if len(record) != len(header):
            errors.append(
                RowError(
                    line,
                    "",
                    _("expected %(expected)d fields, found %(found)d")
                    % {"expected": len(header), "found": len(record)},
                )
            )
            continue
        values = {column: _clean(cell) for column, cell in zip(header, record, strict=True)}
        row_errors = _check(values, line, unit_ids)
        eid = values["employee_id"]
        if eid and eid in first_line:
            row_errors.append(
                RowError(
                    line,
                    "employee_id",
                    _("duplicate employee id “%(value)s” (first on line %(first)d)")
                    % {"value": eid, "first": first_line[eid]},
                )
            )
        elif eid:
            first_line[eid] = line
        if row_errors:
            errors.extend(row_errors)
        else:
            rows.append(Row(line, values, unit_ids[values["org_unit_code"]]))
    if not rows and not errors:
        errors.append(RowError(line, "", _("the file has a header but no rows")))
    errors.sort(key=lambda e: e.line)
    return rows, errors
