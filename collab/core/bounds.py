"""Bounds on every id and offset a client sends, so none reaches the database as an integer
it cannot hold (SQLite and PostgreSQL keys are signed 64-bit): 404 or 422, never a 500."""

from typing import Annotated

from ninja import Schema
from pydantic import ConfigDict, Field

MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000

# django-ninja: path, query and body fields.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Position = Annotated[int, Field(ge=1, le=MAX_OFFSET)]  # a 1-based place in a list


class IdConverter:
    """`<id:pk>` in the HTML URL conf: Django's `int` with an upper bound (larger: no match)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class StrictBody(Schema):
    """A JSON body: an object with only the declared properties (`additionalProperties: false`),
    so a typo in a field name is a 422, not a silently ignored default."""

    model_config = ConfigDict(extra="forbid")
