from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from collab.core import formatting
from collab.directory.models import Person
from collab.directory.selectors import person_for_user

from . import attachments, fields, registry, selectors, services
from .forms import AttachForm, CommentForm, DecisionForm, DelegateForm, request_form
from .models import Definition, Request, Step


def _person(request: HttpRequest):
    person = person_for_user(request.user)
    if person is None:
        raise PermissionDenied("Only people in the directory use workflows.")
    return person


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    steps = selectors.waiting_for(person=_person(request))[:200]
    return render(request, "workflows/inbox.html", {"steps": steps})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    requests = selectors.requests_of(person=_person(request))[:200]
    return render(request, "workflows/mine.html", {"requests": requests})


@login_required
def definitions(request: HttpRequest) -> HttpResponse:
    usable = selectors.usable_definitions(person=_person(request))
    return render(request, "workflows/definitions.html", {"definitions": usable})


@login_required
def start(request: HttpRequest, key: str) -> HttpResponse:
    person = _person(request)
    definition = get_object_or_404(Definition, key=key, active=True)
    if not selectors.may_start(person=person, definition=definition):
        raise PermissionDenied("You may not start this kind of request.")
    version = selectors.current_version(definition=definition)
    form = request_form(version.form, data=request.POST or None, files=request.FILES or None)
    if request.method == "POST":
        try:
            started = services.start_request(person=person, definition=definition,
                                             data=request.POST, files=request.FILES)
        except ValidationError as exc:
            form.is_valid()
            _add_errors(form, exc)
        else:
            messages.success(request, _("Request sent. Whoever must act has been told."))
            return redirect("workflows:request", started.pk)
    return render(request, "workflows/start.html", {"definition": definition, "form": form},
                  status=422 if form.errors else 200)


def _act(request: HttpRequest, person, wf_request: Request):
    """Handle a POST on the request page: (response or None, the page's forms)."""
    decision = DecisionForm(request.POST if "decision" in request.POST else None)
    comment = CommentForm(request.POST if request.POST.get("action") == "comment" else None)
    forms_ = {"decision_form": decision, "comment_form": comment, "resubmit_form": None,
              "attach_form": AttachForm()}
    resubmit = None
    if wf_request.status == Request.Status.RETURNED and wf_request.requester_id == person.pk:
        is_resubmit = request.POST.get("action") == "resubmit"
        resubmit = forms_["resubmit_form"] = request_form(
            wf_request.version.form, data=request.POST if is_resubmit else None,
            initial=wf_request.data)
        if is_resubmit:
            try:
                services.resubmit(person=person, request=wf_request, data=request.POST,
                                  files=request.FILES)
            except ValidationError as exc:
                resubmit.is_valid()
                _add_errors(resubmit, exc)
            else:
                messages.success(request, _("Request sent again."))
                return redirect("workflows:request", wf_request.pk), forms_
    if comment.is_bound:
        return _comment(person, wf_request, comment), forms_
    if request.POST.get("action") == "attach":
        forms_["attach_form"] = form = AttachForm(request.POST, request.FILES)
        return _attach(request, person, wf_request, form), forms_
    if request.POST.get("action") == "delegate":
        return _delegate(request, person, wf_request), forms_
    if decision.is_bound and decision.is_valid():
        step = get_object_or_404(Step, pk=decision.cleaned_data["step"], request=wf_request)
        try:
            services.decide(person=person, step=step, decision=decision.cleaned_data["decision"],
                            reason=decision.cleaned_data["reason"],
                            forward_to=_forward_to(decision))
        except ValidationError as exc:
            _add_errors(decision, exc)
        except services.Conflict:
            decision.add_error(None, _("This step was already decided."))
        else:
            messages.success(request, _("Decision saved."))
            return redirect("workflows:request", wf_request.pk), forms_
    return None, forms_


def _forward_to(decision: DecisionForm) -> Person | None:
    employee_id = decision.cleaned_data.get("forward_to")
    if not employee_id:
        return None
    person = Person.objects.filter(employee_id=employee_id, active=True).first()
    if person is None:
        raise ValidationError({"forward_to": _("Nobody in the directory has the employee id "
                                               "“%(id)s”.") % {"id": employee_id}})
    return person


def _attach(request: HttpRequest, person, wf_request: Request, form) -> HttpResponse | None:
    if form.is_valid():
        try:
            attachments.add(person=person, request=wf_request, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("File added."))
            return redirect("workflows:request", wf_request.pk)
    return None


def _comment(person, wf_request: Request, form: CommentForm) -> HttpResponse | None:
    if form.is_valid():
        try:
            services.comment(person=person, request=wf_request, text=form.cleaned_data["text"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("workflows:request", wf_request.pk)
    return None


def _delegate(request: HttpRequest, person, wf_request: Request) -> HttpResponse:
    try:
        step_id = DelegateForm.base_fields["step"].clean(request.POST.get("step"))
    except ValidationError as exc:
        raise Http404 from exc
    step = get_object_or_404(Step, pk=step_id, request=wf_request)
    form = DelegateForm(request.POST, people=selectors.delegates(step=step))
    if form.is_valid():
        to = get_object_or_404(Person, pk=form.cleaned_data["to"])
        try:
            services.delegate(person=person, step=step, to=to, reason=form.cleaned_data["note"])
        except ValidationError as exc:
            _add_errors(form, exc)
        except services.Conflict:
            form.add_error(None, _("This step was already decided."))
        else:
            messages.success(request, _("Handed to %(person)s, who has been told.")
                             % {"person": to.name()})
            return redirect("workflows:request", wf_request.pk)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect("workflows:request", wf_request.pk)


def _shown(field, value):
    """An answer as the reader's language writes it."""
    if value in ("", None):
        return ""
    extra = fields.shown(field, value)
    if extra is not None:
        return extra
    if isinstance(field, forms.DateField):
        return formatting.when(date.fromisoformat(value), "date")
    if isinstance(field, forms.IntegerField):
        return formatting.number(value, 0)
    return dict(getattr(field, "choices", ())).get(value, value)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    wf_request = get_object_or_404(
        Request.objects.select_related("version__definition", "requester", "unit"), pk=pk
    )
    if not selectors.can_view(person=person, request=wf_request):
        raise Http404
    response, forms_ = _act(request, person, wf_request)
    if response:
        return response
    failed = request.method == "POST" and any(f and f.errors for f in forms_.values())
    form_fields = {**request_form(wf_request.version.form).fields,
                   **fields.computed_fields(wf_request.version.form)}
    return render(request, "workflows/request.html", {
        "wf_request": wf_request,
        "answers": [(f.label, _shown(f, wf_request.data.get(k, "")))
                    for k, f in form_fields.items()],
        "steps": selectors.steps_of(request=wf_request),
        "reference": registry.reference(wf_request),
        "files": wf_request.attachments.select_related("uploaded_by"),
        "forwarding": _forwarding_steps(wf_request, person),
        "timeline": selectors.timeline(request=wf_request),
        "my_steps": [
            (step, DelegateForm(initial={"step": step.pk}, people=people))
            for step in selectors.open_steps_for(person=person, request=wf_request)
            for people in [selectors.delegates(step=step)]
        ],
        **forms_,
    }, status=422 if failed else 200)


def _forwarding_steps(wf_request: Request, person) -> set[int]:
    """The open steps of ``person`` whose approval forwards the request to someone."""
    from . import engine

    mine = selectors.open_steps_for(person=person, request=wf_request)
    if not mine:
        return set()
    workflow = engine.load(wf_request.engine_state)
    return {step.pk for step in mine if engine.properties(
        workflow.get_task_from_id(step.task_id).task_spec).get("forward") == "required"}
