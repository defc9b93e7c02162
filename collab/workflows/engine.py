"""The BPMN engine (SpiffWorkflow) behind workflow requests.

A definition version's diagram is parsed once per process; a request's engine state is
stored as JSON and loaded for each decision. User tasks carry two properties (SpiffWorkflow
extension elements): ``role``, a directory role tag, and ``unit``, which unit of the request
it is looked up in (``requester``: the requester's unit; ``parent``: the unit above it).
Conditions on sequence flows are Python expressions over the form's fields, evaluated
without builtins; script tasks are refused, so a diagram runs no code of its own."""

from functools import lru_cache
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptEngineTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import UserTask
from SpiffWorkflow.util.task import TaskState

from . import sla

RELATIVE_UNITS = ("requester", "parent")
ASSIGNEES = ("requester", "forwarded")  # routing.py: steps that name their assignee

_script_engine = PythonScriptEngine(environment=TaskDataEnvironment({"__builtins__": {}}))
_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


class DiagramError(ValueError):
    pass


@lru_cache(maxsize=64)
def _specs(bpmn: str, process_id: str):
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_str(bpmn.encode())
        return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    except (SpiffWorkflowException, ValueError, KeyError) as exc:
        raise DiagramError(str(exc)) from exc


def properties(task_spec) -> dict:
    return getattr(task_spec, "extensions", {}).get("properties", {})


def check(bpmn: str, process_id: str) -> list[str]:
    """What is wrong with a diagram (nothing: an empty list)."""
    try:
        spec, subprocesses = _specs(bpmn, process_id)
    except DiagramError as exc:
        return [str(exc)]
    problems = []
    all_specs = [spec, *subprocesses.values()]
    for task_spec in (t for s in all_specs for t in s.task_specs.values()):
        if isinstance(task_spec, ScriptEngineTask) or getattr(task_spec, "prescript", None) \
                or getattr(task_spec, "postscript", None):
            problems.append(f"{task_spec.name}: scripts are not allowed")
        if isinstance(task_spec, UserTask):
            props = properties(task_spec)
            if props.get("assignee", "") not in ("", *ASSIGNEES):
                problems.append(f"{task_spec.name}: 'assignee' must be one of {ASSIGNEES}")
            if not props.get("role") and not props.get("assignee"):
                problems.append(f"{task_spec.name}: a user task needs a 'role' property")
            if props.get("unit", "requester") not in RELATIVE_UNITS:
                problems.append(f"{task_spec.name}: 'unit' must be one of {RELATIVE_UNITS}")
            problems += [f"{task_spec.name}: {problem}" for problem in sla.check(props)]
        for condition in getattr(task_spec, "cond_task_specs", ()):
            if condition[0] is not None and "__" in str(condition[0].args[0]):
                problems.append(f"{task_spec.name}: a condition may not use '__'")
    return problems


def start(*, bpmn: str, process_id: str, data: dict) -> BpmnWorkflow:
    spec, subprocesses = _specs(bpmn, process_id)
    workflow = BpmnWorkflow(spec, subprocesses, script_engine=_script_engine)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    workflow.do_engine_steps()
    return workflow


def load(state: str) -> BpmnWorkflow:
    workflow = _serializer.deserialize_json(state)
    workflow.script_engine = _script_engine
    return workflow


def dump(workflow: BpmnWorkflow) -> str:
    return _serializer.serialize_json(workflow)


def open_tasks(workflow: BpmnWorkflow) -> list:
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def any_of(workflow: BpmnWorkflow, task_id: UUID) -> str:
    """The "any one approves" group of a user task ('' when every branch must approve)."""
    return properties(workflow.get_task_from_id(task_id).task_spec).get("any_of", "")


def complete(workflow: BpmnWorkflow, task_id: UUID, data: dict) -> None:
    task = workflow.get_task_from_id(task_id)
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()
