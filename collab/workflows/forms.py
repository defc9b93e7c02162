"""A version's form, built from its field list, and the decision form."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .fields import EXTRA_KINDS, PersonField, check_extra, extra_field, stored
from .models import Step

KINDS = ("text", "longtext", "number", "date", "choice", *EXTRA_KINDS)


def _label(field: dict, prefix: str = "label") -> str:
    en = field.get(f"{prefix}_en", "")
    return (field.get(f"{prefix}_km") or en) if (get_language() or "en").startswith("km") else en


def _field(spec: dict) -> forms.Field:
    kind, required = spec["kind"], spec.get("required", True)
    common = {"label": _label(spec), "required": required}
    if kind == "text":
        return forms.CharField(max_length=200, **common)
    if kind == "longtext":
        return forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == "number":
        return forms.IntegerField(min_value=spec.get("min"), max_value=spec.get("max"), **common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "choice":
        lang_km = (get_language() or "en").startswith("km")
        choices = [(value, (km or en) if lang_km else en) for value, en, km in spec["choices"]]
        return forms.ChoiceField(choices=choices, **common)
    return extra_field(spec, common)


def request_form(fields: list[dict], data=None, initial=None, files=None) -> forms.Form:
    """The form people fill in; computed fields (``compute``) are not asked for."""
    form = forms.Form(data, files, initial=initial)
    for spec in fields:
        if not spec.get("compute"):
            form.fields[spec["name"]] = _field(spec)
    return form


def as_json(cleaned: dict) -> dict:
    return {k: stored(v) for k, v in cleaned.items()}


def check_fields(fields) -> list[str]:
    """What is wrong with a form's field list (admin-edited JSON)."""
    if not isinstance(fields, list):
        return ["the form must be a list of fields"]
    problems, names = [], set()
    for spec in fields:
        if not isinstance(spec, dict) or not str(spec.get("name", "")).isidentifier():
            problems.append(f"{spec!r}: each field needs a 'name' that is a Python identifier")
            continue
        if spec["name"] in names:
            problems.append(f"{spec['name']}: used twice")
        names.add(spec["name"])
        if spec.get("kind") not in KINDS:
            problems.append(f"{spec['name']}: 'kind' must be one of {KINDS}")
        elif spec["kind"] == "choice" and not all(
            isinstance(c, list | tuple) and len(c) == 3 for c in spec.get("choices", [None])
        ):
            problems.append(f"{spec['name']}: choices are [value, English, Khmer] triples")
        else:
            problems += check_extra(spec)
    return problems


class DecisionForm(forms.Form):
    DECISIONS = [
        (Step.Status.APPROVED, _("Approve")),
        (Step.Status.RETURNED, _("Return for changes")),
        (Step.Status.REJECTED, _("Reject")),
    ]
    step = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to reject or to return the request."),
    )
    forward_to = PersonField(
        label=_("Forward it to"), required=False,
        help_text=_("Who in your unit should act on it (their employee id)."),
    )


class DelegateForm(forms.Form):
    step = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    to = forms.TypedChoiceField(label=_("Hand it to"), coerce=int, choices=())
    note = forms.CharField(
        label=_("Note for them"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(p.pk, p.name()) for p in people]


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mention someone taking part with @ and their login, e.g. @nurse."),
    )


class AttachForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_(
        "Images (PNG, JPEG, GIF, WebP), PDF or office documents."))
