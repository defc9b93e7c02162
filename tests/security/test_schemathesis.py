"""Property test of the whole JSON API against its own OpenAPI schema (schemathesis), in
process through the WSGI app, as a signed-in nurse with a Bearer token, over the demo data.

Every operation gets valid and invalid inputs; every answer must be documented (status,
content type, JSON shape) and none may be a server error. Failures of all operations are
gathered, so one run names every undocumented answer."""

import io

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


def _failure(operation, mode, headers) -> str | None:
    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
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


def test_every_answer_matches_the_schema(django_user_model, _keep_the_test_connection):
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    nurse = django_user_model.objects.get(username="nurse")
    headers = {
        "Authorization": f"Bearer {create_token(user=nurse, name='schemathesis')}",
        "Accept-Encoding": "identity",  # the WSGI test client does not unzip
    }
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = WSGIHandler()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := _failure(operation, mode, headers))
    ]
    assert not failures, "\n\n".join(failures)
