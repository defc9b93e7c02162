"""Property test of the whole JSON API against its own OpenAPI schema (schemathesis), in
process through the WSGI app, over the demo data: as the nurse with a Bearer token, and with
fewer examples as every other demo role and without a token.

Every operation gets valid and invalid inputs; every answer must be documented (status,
content type, JSON shape) and none may be a server error. Failures of all operations are
gathered, so one run names every undocumented answer."""

import io
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from collab.accounts.services import create_token
from collab.api import api

pytestmark = pytest.mark.django_db

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 5  # per operation and mode: ~500 requests in all
# The other roles see other data and other refusals (403, 404, 401): fewer examples each.
OTHER_ROLES = ("admin", "doctor", "manager", "trainee", None)
EXAMPLES_PER_OTHER_ROLE = 1


def _failure(operation, mode, headers, examples: int) -> str | None:
    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=examples, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # no invalid input exists for this operation's parameters
        return None
    except (Exception, FailureGroup) as exc:
        return f"{operation.label} ({mode.value}): {str(exc).strip()[:1500]}"
    return None


@pytest.fixture
def _keep_the_test_connection():
    """Django's WSGI handler closes the database connection after each request, which would
    end the test's transaction; its test client disconnects that handler the same way."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


def _failures(role: str | None, examples: int, django_user_model) -> list[str]:
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    headers = {"Accept-Encoding": "identity"}  # the WSGI test client does not unzip
    if role:
        user = django_user_model.objects.get(username=role)
        headers["Authorization"] = f"Bearer {create_token(user=user, name='schemathesis')}"
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = WSGIHandler()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    return [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := _failure(operation, mode, headers, examples))
    ]


def test_every_answer_matches_the_schema(django_user_model, _keep_the_test_connection):
    failures = _failures("nurse", EXAMPLES, django_user_model)
    assert not failures, "\n\n".join(failures)


# In the production leg only: it finishes minutes before the embedded one (no browsers),
# and the nurse's run above covers SQLite.
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="the production leg's run covers the roles; the nurse's run covers SQLite",
)
@pytest.mark.parametrize("role", OTHER_ROLES, ids=lambda r: r or "anonymous")
def test_every_role_gets_documented_answers(role, django_user_model, _keep_the_test_connection):
    failures = _failures(role, EXAMPLES_PER_OTHER_ROLE, django_user_model)
    assert not failures, "\n\n".join(failures)
