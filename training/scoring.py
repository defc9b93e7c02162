"""Checking and scoring one answer. Pure functions: no database, no request."""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .models import Question

Kind = Question.Kind
KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


class InvalidAnswer(ValueError):
    """The response does not fit the question (names the offending part)."""


@dataclass(frozen=True)
class ChoiceData:
    id: int
    text: str
    is_correct: bool
    match_text: str
    feedback: str


@dataclass(frozen=True)
class Marked:
    fraction: Decimal  # 0 … 1 of the question's points
    correct: bool
    feedback: list[str]


def _ids(value, field: str) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
        raise InvalidAnswer(_("%(field)s must be a list of choice ids.") % {"field": field})
    return value


def parse_number(text) -> Decimal:
    cleaned = str(text).translate(KHMER_DIGITS).replace(",", ".").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidAnswer(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not value.is_finite():
        raise InvalidAnswer(_("“%(value)s” is not a number.") % {"value": text})
    return value


def normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(text.split()).strip(" .!?។")


def clean_response(kind: str, choices: list[ChoiceData], response) -> dict:
    """The response in its canonical form, or InvalidAnswer saying what is wrong."""
    if not isinstance(response, dict):
        raise InvalidAnswer(_("The answer must be an object."))
    ids = {c.id for c in choices}
    if kind == Kind.SINGLE:
        choice = response.get("choice")
        if choice not in ids:
            raise InvalidAnswer(_("choice must be one of the question's choices."))
        return {"choice": choice}
    if kind == Kind.MULTIPLE:
        chosen = _ids(response.get("choices"), "choices")
        if not set(chosen) <= ids:
            raise InvalidAnswer(_("choices must be among the question's choices."))
        return {"choices": sorted(set(chosen))}
    if kind == Kind.TRUE_FALSE:
        if not isinstance(response.get("value"), bool):
            raise InvalidAnswer(_("value must be true or false."))
        return {"value": response["value"]}
    if kind == Kind.SHORT:
        text = response.get("text")
        if not isinstance(text, str) or len(text) > 500:
            raise InvalidAnswer(_("text must be a string of at most 500 characters."))
        return {"text": text.strip()}
    if kind == Kind.NUMERIC:
        value = response.get("value")
        if value is None or isinstance(value, bool) or str(value).strip() == "":
            raise InvalidAnswer(_("value must be a number."))
        return {"value": str(parse_number(value))}
    if kind == Kind.ORDERING:
        order = _ids(response.get("order"), "order")
        if sorted(order) != sorted(ids):
            raise InvalidAnswer(_("order must list every item exactly once."))
        return {"order": order}
    if kind == Kind.MATCHING:
        pairs = response.get("pairs")
        if not isinstance(pairs, dict):
            raise InvalidAnswer(_("pairs must map each item to its match."))
        cleaned = {}
        for left, right in pairs.items():
            if not str(left).isdigit() or int(left) not in ids or right not in ids:
                raise InvalidAnswer(_("pairs must only use the question's items."))
            cleaned[str(int(left))] = right
        return {"pairs": cleaned}
    raise InvalidAnswer(_("Unknown question type."))


def mark(question: Question, choices: list[ChoiceData], response: dict | None) -> Marked:
    """Score a cleaned response; an unanswered question scores 0."""
    if response is None:
        return Marked(Decimal(0), False, [])
    kind = question.kind
    fraction = Decimal(0)
    chosen_feedback: list[str] = []
    by_id = {c.id: c for c in choices}
    if kind == Kind.SINGLE:
        picked = by_id[response["choice"]]
        fraction = Decimal(picked.is_correct)
        chosen_feedback = [picked.feedback]
    elif kind == Kind.MULTIPLE:
        chosen = set(response["choices"])
        right = {c.id for c in choices if c.is_correct}
        # Each right pick earns a share, each wrong pick costs one; never below zero.
        earned = len(chosen & right) - len(chosen - right)
        fraction = max(Decimal(0), Decimal(earned) / max(len(right), 1))
        if chosen == right:
            fraction = Decimal(1)
        chosen_feedback = [by_id[i].feedback for i in sorted(chosen)]
    elif kind == Kind.TRUE_FALSE:
        fraction = Decimal(response["value"] == question.true_false_answer)
    elif kind == Kind.SHORT:
        accepted = {normalise_text(c.text) for c in choices}
        fraction = Decimal(normalise_text(response["text"]) in accepted)
    elif kind == Kind.NUMERIC:
        value = Decimal(response["value"])
        fraction = Decimal(abs(value - question.numeric_answer) <= question.numeric_tolerance)
    elif kind == Kind.ORDERING:
        # `choices` comes in the author's (correct) order.
        in_place = sum(
            1 for a, b in zip(response["order"], [c.id for c in choices], strict=False) if a == b
        )
        fraction = Decimal(in_place) / len(choices)
    elif kind == Kind.MATCHING:
        pairs = response["pairs"]
        matched = sum(1 for c in choices if pairs.get(str(c.id)) == c.id)
        fraction = Decimal(matched) / len(choices)
    fraction = fraction.quantize(Decimal("0.0001"))
    correct = fraction == 1
    general = question.feedback_correct if correct else question.feedback_incorrect
    return Marked(fraction, correct, [f for f in [*chosen_feedback, general] if f])
