"""Every API route answers a caller without valid credentials 401 with `WWW-Authenticate:
Bearer`, whatever the method: a request without a session cookie is never a CSRF case."""

import re

import pytest
from django.test import Client

from collab.accounts.models import PersonalToken
from collab.accounts.services import create_token, revoke_token
from collab.api import api

pytestmark = pytest.mark.django_db


def _operations(*, protected: bool):
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if bool(operation.get("security")) == protected:
                yield method.upper(), re.sub(r"\{[^}]+\}", "1", path)


PROTECTED = sorted(set(_operations(protected=True)))


@pytest.fixture
def browser():
    """A client that checks CSRF as a browser-facing Django does (the default client skips it)."""
    return Client(enforce_csrf_checks=True)


def test_every_method_is_covered():
    assert {m for m, _ in PROTECTED} >= {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[" ".join(p) for p in PROTECTED])
def test_no_token_gets_401_bearer(browser, method, path):
    response = browser.generic(method, path, "{}", content_type="application/json")
    assert response.status_code == 401, response.content
    assert response.json() == {"message": "Authentication required."}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[" ".join(p) for p in PROTECTED])
def test_revoked_token_gets_401_invalid_token(browser, django_user_model, method, path):
    user = django_user_model.objects.create_user("lab", password="x")
    token = create_token(user=user, name="lab system")
    revoke_token(user=user, token_id=PersonalToken.objects.get().pk)
    response = browser.generic(
        method, path, "{}", content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


def test_lab_system_without_token_is_not_told_csrf(browser):
    response = browser.post("/api/v1/health/lab-results", {}, content_type="application/json")
    assert response.status_code == 401
    assert "CSRF" not in response.content.decode()


def test_a_session_without_csrf_token_is_still_refused(browser, django_user_model):
    browser.force_login(django_user_model.objects.create_user("nurse", password="x"))
    response = browser.post("/api/v1/notifications/read", {}, content_type="application/json")
    assert response.status_code == 403


def test_a_valid_token_needs_no_csrf_token(browser, django_user_model):
    user = django_user_model.objects.create_user("nurse", password="x")
    token = create_token(user=user, name="script")
    response = browser.post(
        "/api/v1/notifications/read", {}, content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
