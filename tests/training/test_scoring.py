"""Scoring of every question type, on the server, including partial credit and bad input."""

from decimal import Decimal

import pytest

from training.models import Question
from training.scoring import ChoiceData, InvalidAnswer, clean_response, mark

K = Question.Kind


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def choices(*specs) -> list[ChoiceData]:
    padded = [(*spec, "", "")[:4] for spec in specs]
    return [ChoiceData(i, *spec) for i, spec in enumerate(padded, start=1)]


def score(question, cs, response):
    return mark(question, cs, clean_response(question.kind, cs, response))


def test_single_choice_scores_and_gives_the_chosen_feedback():
    q = Question(kind=K.SINGLE, points=2, feedback_incorrect="Read lesson 1.")
    cs = choices(("A", True, "", "Right."), ("B", False, "", "B is a province."))
    right = score(q, cs, {"choice": 1})
    wrong = score(q, cs, {"choice": 2})
    assert (right.fraction, right.correct, right.feedback) == (1, True, ["Right."])
    assert (wrong.fraction, wrong.correct) == (0, False)
    assert wrong.feedback == ["B is a province.", "Read lesson 1."]


def test_multiple_choice_gives_partial_credit_and_penalises_wrong_picks():
    q = Question(kind=K.MULTIPLE)
    cs = choices(("A", True), ("B", True), ("C", False))
    assert score(q, cs, {"choices": [1, 2]}).fraction == 1
    assert score(q, cs, {"choices": [1]}).fraction == Decimal("0.5")
    assert score(q, cs, {"choices": [1, 3]}).fraction == 0
    assert score(q, cs, {"choices": [3]}).fraction == 0  # never negative
    assert score(q, cs, {"choices": []}).correct is False


def test_true_false():
    q = Question(kind=K.TRUE_FALSE, true_false_answer=False)
    assert score(q, [], {"value": False}).correct
    assert not score(q, [], {"value": True}).correct
    with pytest.raises(InvalidAnswer):
        clean_response(K.TRUE_FALSE, [], {"value": "false"})


def test_short_answer_ignores_case_spacing_and_final_punctuation_also_in_khmer():
    q = Question(kind=K.SHORT)
    cs = choices(("Soap and water", True), ("សាប៊ូ", True))
    assert score(q, cs, {"text": "  soap   AND water. "}).correct
    assert score(q, cs, {"text": "សាប៊ូ។"}).correct
    assert not score(q, cs, {"text": "alcohol"}).correct


def test_numeric_within_tolerance_accepts_khmer_digits_and_decimal_comma():
    q = Question(kind=K.NUMERIC, numeric_answer=Decimal("37"), numeric_tolerance=Decimal("0.5"))
    assert score(q, [], {"value": "37.5"}).correct
    assert score(q, [], {"value": "៣៧"}).correct
    assert score(q, [], {"value": "36,6"}).correct
    assert not score(q, [], {"value": 37.6}).correct
    with pytest.raises(InvalidAnswer, match="not a number"):
        clean_response(K.NUMERIC, [], {"value": "thirty"})
    with pytest.raises(InvalidAnswer):
        clean_response(K.NUMERIC, [], {"value": "NaN"})


def test_ordering_scores_items_in_their_place():
    q = Question(kind=K.ORDERING)
    cs = choices(("1st", True), ("2nd", True), ("3rd", True), ("4th", True))
    assert score(q, cs, {"order": [1, 2, 3, 4]}).correct
    assert score(q, cs, {"order": [2, 1, 3, 4]}).fraction == Decimal("0.5")
    with pytest.raises(InvalidAnswer, match="every item exactly once"):
        clean_response(K.ORDERING, cs, {"order": [1, 1, 2, 3]})


def test_matching_scores_each_pair():
    q = Question(kind=K.MATCHING)
    cs = choices(("BCG", True, "TB", ""), ("OPV", True, "Polio", ""), ("MR", True, "Measles", ""))
    assert score(q, cs, {"pairs": {"1": 1, "2": 2, "3": 3}}).correct
    assert score(q, cs, {"pairs": {"1": 2, "2": 1, "3": 3}}).fraction == Decimal("0.3333")
    assert score(q, cs, {"pairs": {"1": 1}}).fraction == Decimal("0.3333")
    with pytest.raises(InvalidAnswer):
        clean_response(K.MATCHING, cs, {"pairs": {"1": 99}})


def test_unanswered_scores_zero_and_foreign_choices_are_refused():
    q = Question(kind=K.SINGLE)
    cs = choices(("A", True), ("B", False))
    assert mark(q, cs, None).fraction == 0
    with pytest.raises(InvalidAnswer):
        clean_response(K.SINGLE, cs, {"choice": 3})
    with pytest.raises(InvalidAnswer):
        clean_response(K.MULTIPLE, cs, {"choices": "1"})
