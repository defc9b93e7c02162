"""What the trainee sees of an attempt. Question views carry no correctness at all;
results (after submission) add marks and feedback."""

import random
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import Attempt, AttemptAnswer, Question
from .scoring import ChoiceData, mark

Kind = Question.Kind


@dataclass
class Option:
    id: int
    text: str


@dataclass
class QuestionView:
    position: int
    kind: str
    prompt: str
    points: int
    options: list[Option] = field(default_factory=list)
    targets: list[Option] = field(default_factory=list)  # matching: right-hand side
    response: dict | None = None

    @property
    def field_name(self) -> str:
        return f"q{self.position}"

    @property
    def chosen(self) -> set:
        r = self.response or {}
        if "choice" in r:
            return {r["choice"]}
        return set(r.get("choices", []))

    @property
    def ranks(self) -> dict[int, int]:
        order = (self.response or {}).get("order") or [o.id for o in self.options]
        return {cid: i for i, cid in enumerate(order, start=1)}

    @property
    def rows(self) -> list[dict]:
        """Per-option view data so templates need no lookups."""
        chosen, ranks = self.chosen, self.ranks
        pairs = (self.response or {}).get("pairs", {})
        return [
            {
                "id": o.id,
                "text": o.text,
                "checked": o.id in chosen,
                "rank": ranks.get(o.id),
                "paired": pairs.get(str(o.id)),
            }
            for o in self.options
        ]


def _answers(attempt: Attempt) -> list[AttemptAnswer]:
    return list(
        AttemptAnswer.objects.filter(attempt=attempt)
        .select_related("question")
        .prefetch_related("question__choices")
        .order_by("position")
    )


def _view(answer: AttemptAnswer) -> QuestionView:
    question = answer.question
    by_id = {c.id: c for c in question.choices.all()}
    ordered = [by_id[i] for i in answer.choice_order if i in by_id]
    ordered += [c for c in by_id.values() if c.id not in answer.choice_order]
    view = QuestionView(
        position=answer.position,
        kind=question.kind,
        prompt=question.prompt,
        points=question.points,
        response=answer.response,
    )
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.ORDERING, Kind.MATCHING):
        view.options = [Option(c.id, c.text) for c in ordered]
    if question.kind == Kind.MATCHING:
        targets = [Option(c.id, c.match_text) for c in ordered]
        # Stable per attempt and question, independent of the left-hand order.
        random.Random(answer.attempt_id * 1000 + answer.position).shuffle(targets)
        view.targets = targets
    return view


def attempt_questions(attempt: Attempt) -> list[QuestionView]:
    return [_view(a) for a in _answers(attempt)]


@dataclass
class ResultView:
    question: QuestionView
    correct: bool
    points: object
    feedback: list[str]


def attempt_results(attempt: Attempt) -> list[ResultView]:
    results = []
    for answer in _answers(attempt):
        question = answer.question
        choices = [
            ChoiceData(c.id, c.text, c.is_correct, c.match_text, c.feedback)
            for c in question.choices.all()
        ]
        marked = mark(question, choices, answer.response)
        results.append(
            ResultView(
                question=_view(answer),
                correct=bool(answer.correct),
                points=answer.points,
                feedback=marked.feedback,
            )
        )
    return results


def response_from_form(question: QuestionView, data) -> dict | None:
    """A typed response from the posted form (same shape the JavaScript sends), or None."""
    name = question.field_name
    kind = question.kind
    try:
        if kind == Kind.SINGLE:
            value = data.get(name)
            return {"choice": int(value)} if value else None
        if kind == Kind.MULTIPLE:
            values = data.getlist(name)
            return {"choices": [int(v) for v in values]} if values else None
        if kind == Kind.TRUE_FALSE:
            value = data.get(name)
            return {"value": value == "true"} if value in ("true", "false") else None
        if kind in (Kind.SHORT, Kind.NUMERIC):
            value = (data.get(name) or "").strip()
            if not value:
                return None
            return {"text": value} if kind == Kind.SHORT else {"value": value}
        if kind == Kind.ORDERING:
            ranks = {o.id: data.get(f"{name}-{o.id}") for o in question.options}
            if not all(ranks.values()):
                return None
            return {"order": sorted(ranks, key=lambda cid: int(ranks[cid]))}
        if kind == Kind.MATCHING:
            pairs = {
                str(o.id): int(data[f"{name}-{o.id}"])
                for o in question.options
                if data.get(f"{name}-{o.id}")
            }
            return {"pairs": pairs} if pairs else None
    except ValueError:
        return {"invalid": _("Unreadable answer.")}
    return None
