"""The authorization matrix: every project route (HTML from the URL conf, API from the
OpenAPI schema) × every role, with the expected answer written down per cell.

Roles: the demo's admin, doctor, nurse, manager and trainee; ``outsider`` (signed in, in no
unit and no group); ``anonymous``; ``patient`` (a guest session from a consultation link).
Signed-in roles have passed a second factor. Answers: ``ok`` (200), ``login`` (sent to sign
in), ``visit`` (the guest is sent back to its visit page), or the status code (``302`` for
any other redirect). A trailing ``*`` means the request changed its sample (writes.EFFECTS).

Writes (API POST/PUT/PATCH/DELETE, HTML routes that take POST only) are sent with a real
body (tests/security/writes.py, valid against the OpenAPI schema) by every role, so a cell
shows the real answer: a success for the roles allowed, a refusal for the others. Each
write runs in a savepoint that is rolled back, with the client's cookies and the cache
restored, so no cell depends on another. A route without a row, or a write route without
a body, fails the test."""

from http.cookies import SimpleCookie

import jsonschema_rs  # schemathesis' validator
import pytest
from django.db import transaction
from django.urls import reverse

from collab.api import api
from tests.ui import inventory

from .matrix import ROLES, client_for, fill, make_world, outcome
from .writes import BODIES, EFFECTS

pytestmark = pytest.mark.django_db

# Route prefixes that are not ours to check here, with the reason.
ELSEWHERE = {
    "admin/": "Django's admin: staff only, Django's own checks",
    "cms/": "Wagtail's admin: tests/knowledge/test_admin_spaces.py",
    "api/": "the JSON API: the API table below, from the OpenAPI schema",
    "identity/": "single sign-on protocol endpoints (tests/identity)",
    "scim/": "SCIM for identity providers, a bearer secret of its own (tests/identity)",
    "_util/": "Wagtail's password forms for restricted pages",
    "static/": "static files",
    "media/": "public media (development only); private files have no URL",
    "healthz": "the JSON health report: no data about anyone (tests/shell)",
}
POST_ONLY = {name for name, why in inventory.NOT_PAGES.items() if why.startswith("POST only")}

# Roles, in order: admin doctor nurse manager trainee outsider anonymous patient
HTML = {
    "home":                                  "ok ok ok ok ok ok login visit",
    "wagtaildocs_serve":                     "404 404 404 404 404 404 404 visit",
    "wagtaildocs_authenticate_with_password": "404 404 404 404 404 404 404 visit",
    "accounts:login":
        "302 302 302 302 302 302 ok visit",
    "accounts:password_change":              "ok ok ok ok ok ok login visit",
    "accounts:password_reset":               "ok ok ok ok ok ok ok visit",
    "accounts:password_reset_confirm":       "410 410 410 410 410 410 410 visit",
    "accounts:invitation":                   "410 410 410 410 410 410 410 visit",
    "accounts:second_factor":                "login login ok login login login login visit",
    "accounts:mfa_setup":                    "ok ok ok ok ok ok login visit",
    "accounts:profile":                      "ok ok ok ok ok ok login visit",
    "directory:index":                       "ok ok ok ok ok ok login visit",
    "directory:search":                      "ok ok ok ok ok ok login visit",
    "directory:unit":                        "ok ok ok ok ok ok login visit",
    "directory:person":                      "ok ok ok ok ok ok login visit",
    "notifications:inbox":                   "ok ok ok ok ok ok login visit",
    "notifications:settings":                "ok ok ok ok ok ok login visit",
    "notifications:open":                    "404 404 302 404 404 404 login visit",
    "notifications:ack_link":                "ok ok ok ok ok ok ok visit",
    "notifications:history":                 "404 404 ok 404 404 404 login visit",
    "health:referrals":                      "ok ok ok ok ok ok login visit",
    "health:referral_new":                   "ok ok ok ok ok ok login visit",
    "health:referral":                       "ok ok ok ok ok 404 login visit",
    "health:referral_fhir":                  "ok ok ok ok ok 404 login visit",
    "health:patient_find":                   "ok ok ok ok ok ok login visit",
    "health:patient":                        "ok ok ok ok ok 404 login visit",
    "health:lab_result_new":                 "ok 403 403 403 403 403 login visit",
    "health:lab_result":                     "ok ok ok ok ok 404 login visit",
    "consultations:list":                    "ok ok ok ok ok ok login visit",
    "consultations:detail":                  "ok ok ok 404 404 404 login visit",
    "consultations:call":                    "ok ok ok 404 404 404 login visit",
    "consultations:fhir":                    "ok ok ok 404 404 404 login visit",
    "consultations:open_link":               "404 404 404 404 404 404 404 404",
    "consultations:visit":                   "404 404 404 404 404 404 403 ok",
    "consultations:recording":               "ok ok 404 404 404 404 login visit",
    "search:search":                         "ok ok ok ok ok ok login visit",
    "search:people":                         "ok ok ok ok ok ok login visit",
    "chat:home":                             "ok ok ok ok ok ok login visit",
    "chat:room":                             "ok ok ok ok ok ok login visit",
    "chat:file":                             "403 ok ok 403 403 403 login visit",
    "chat:thumbnail":                        "403 ok ok 403 403 403 login visit",
    "calls:list":                            "ok ok ok ok ok ok login visit",
    "calls:meeting":                         "ok ok ok ok ok 404 login visit",
    "calls:netcheck":                        "ok ok ok ok ok ok login ok",
    "training:my_learning":                  "ok ok ok ok ok 403 login visit",
    "training:lesson":                       "ok ok ok ok ok 403 login visit",
    "training:attempt":                      "404 404 404 404 ok 403 login visit",
    "training:certificate_pdf":              "404 404 404 404 404 403 login visit",
    "training:verify_form":                  "ok ok ok ok ok ok ok visit",
    "training:verify":                       "404 404 404 404 404 404 404 visit",
    "training:assign":                       "ok 403 403 ok 403 403 login visit",
    "training:reports":                      "ok 403 403 ok 403 403 login visit",
    "training:unit_report":                  "ok 403 403 403 403 403 login visit",
    "knowledge:pdf":                         "ok ok 403 ok ok 403 login visit",
    "knowledge:image":                       "404 404 404 404 404 404 404 visit",
    "space_url":                             "ok ok 403 ok ok 403 login visit",
    "article_url":                           "ok ok 403 ok ok 403 login visit",
    "set_language":                          "302 302 302 302 302 302 302 302",
    "accounts:logout":                       "login login login login login login login login",
    "accounts:recovery_codes":               "201 201 201 201 201 201 login visit",
    "accounts:mfa_remove":                   "302 302 302 302 302 302 login visit",
    "accounts:profile_language":             "302 302 302 302 302 302 login visit",
    "accounts:session_end":                  "302 302 302* 302 302 302 login visit",
    "accounts:sessions_end_others":          "302 302 302 302 302 302 login visit",
    "accounts:token_create":                 "201 201 201 201 201 201 login visit",
    "accounts:token_revoke":                 "302 302 302* 302 302 302 login visit",
    "notifications:read_all":                "302 302 302 302 302 302 login visit",
    "notifications:ack":                     "404 404 302 404 404 404 login visit",
    "notifications:read":                    "404 404 302 404 404 404 login visit",
    "consultations:sign_note":               "403 302 403 404 404 404 login visit",
    "consultations:issue_link":              "ok ok 403 404 404 404 login visit",
    "consultations:revoke_link":             "302 302 403 404 404 404 login visit",
    "consultations:admit":                   "403 302 403 404 404 404 login visit",
    "consultations:status":                  "302 302 403 404 404 404 login visit",
    "consultations:consent":                 "404 302* 404 404 404 404 login visit*",
    "calls:start_from_room":                 "403 302 302 403 403 403 login visit",
    "training:enrol":                        "302 302 302 302 302 403 login visit",
    "training:renew":                        "404 404 404 404 302* 403 login visit",
    "training:start":                        "403 302 403 302 302 403 login visit",
    "training:submit":                       "404 404 404 404 302 403 login visit",
    "knowledge:feedback":                    "302 302 403 302 302 403 login visit",
    "knowledge:subscription":                "302 302 403 302 302 403 login visit",
    "workflows:inbox":                       "ok ok ok ok ok 403 login visit",
    "workflows:mine":                        "ok ok ok ok ok 403 login visit",
    "workflows:definitions":                 "ok ok ok ok ok 403 login visit",
    "workflows:start":                       "ok ok ok ok ok 403 login visit",
    # The nurse's leave request: only the people it reached may open it.
    "workflows:request":                     "404 404 ok ok 404 403 login visit",
    # Unit heads (the manager heads the hospital) and, for reports, administrators.
    "workflows:unit":                        "403 403 403 ok 403 403 login visit",
    "workflows:reports":                     "ok 403 403 ok 403 403 login visit",
    "workflows:reports_csv":                 "ok 403 403 ok 403 403 login visit",
    "accounts:passkey_add_options":          "ok ok ok ok ok ok login visit",
    "accounts:passkey_add":                  "400 400 400 400 400 400 login visit",
    "accounts:passkey_sign_in_options":      "ok ok ok ok ok ok ok visit",
    "accounts:passkey_sign_in":              "403 403 403 403 403 403 403 visit",
    # Nobody's passkey: removing it changes nothing and goes back to the profile.
    "accounts:passkey_remove":
        "302 302 302* 302 302 302 login visit",
    # A file of the nurse's leave request: only the people it reached (its step waits for the
    # manager, who also heads the unit); others learn nothing.
    "workflows:attachment":                  "404 404 ok ok 404 404 login visit",
    # The nurse's leave request is still running: no decision document yet.
    "workflows:decision_pdf":                "404 404 404 404 404 404 login visit",
    "workflows:verify_form":                 "ok ok ok ok ok ok ok visit",
    # The demo's approved mission order: its public check, for anyone.
    "workflows:verify":                      "ok ok ok ok ok ok ok visit",
}
# API operations, as "METHOD path" under /api/v1.
API = {
    "GET /directory/units":                            "ok ok ok ok ok ok 401 visit",
    "GET /directory/units/{code}":                     "ok ok ok ok ok ok 401 visit",
    "GET /directory/people":                           "ok ok ok ok ok ok 401 visit",
    "GET /directory/people/{employee_id}":             "ok ok ok ok ok ok 401 visit",
    "GET /directory/typeahead":                        "422 422 422 422 422 422 401 visit",
    "GET /chat/rooms":                                 "ok ok ok ok ok ok 401 visit",
    "GET /chat/rooms/public":                          "ok ok ok ok ok ok 401 visit",
    "GET /chat/rooms/{room_id}":                       "403 ok ok 403 403 403 401 visit",
    "GET /chat/rooms/{room_id}/messages":              "403 ok ok 403 403 403 401 visit",
    "GET /chat/rooms/{room_id}/pins":                  "403 ok ok 403 403 403 401 visit",
    "GET /chat/rooms/{room_id}/mentions":              "403 ok ok 403 403 403 401 visit",
    "GET /chat/people":                                "ok ok ok ok ok ok 401 visit",
    "GET /chat/rooms/{room_id}/presence":              "403 ok ok 403 403 403 401 visit",
    "GET /chat/messages/{message_id}/history":         "403 ok ok 403 403 403 401 visit",
    "GET /calls/meetings":                             "ok ok ok ok ok ok 401 visit",
    "GET /health/referrals/{referral_id}/fhir":        "ok ok ok ok ok 404 401 visit",
    "GET /consultations/appointments":                 "ok ok ok ok ok ok 401 visit",
    "GET /consultations/appointments/{appointment_id}/fhir": "ok ok ok 404 404 404 401 visit",
    "GET /notifications":                              "ok ok ok ok ok ok 401 visit",
    "GET /notifications/unread-count":                 "ok ok ok ok ok ok 401 visit",
    "GET /search":                                     "422 422 422 422 422 422 401 visit",
    "GET /search/people":                              "422 422 422 422 422 422 401 visit",
    "GET /knowledge/articles/recent":                  "ok ok ok ok ok ok 401 visit",
    "GET /training/my":                                "ok ok ok ok ok 403 401 visit",
    "GET /training/attempts/{attempt_id}":             "404 404 404 404 ok 403 401 visit",
    "GET /training/certificates/{code}":               "404 404 404 404 404 404 404 visit",
    "POST /chat/rooms":                                "201 201 201 201 201 201 401 visit",
    "PATCH /chat/rooms/{room_id}":                     "403 ok 403 403 403 403 401 visit",
    "POST /chat/rooms/{room_id}/join":                 "403 403 403 403 403 403 401 visit",
    "POST /chat/rooms/{room_id}/leave":                "403 204 204 403 403 403 401 visit",
    "POST /chat/rooms/{room_id}/members":              "403 ok 403 403 403 403 401 visit",
    "DELETE /chat/rooms/{room_id}/members/{username}": "403 204 403 403 403 403 401 visit",
    "PUT /chat/rooms/{room_id}/members/{username}/role": "403 ok 403 403 403 403 401 visit",
    "POST /chat/rooms/{room_id}/messages":             "403 201 201 403 403 403 401 visit",
    "POST /chat/rooms/{room_id}/files":                "403 201 201 403 403 403 401 visit",
    "POST /chat/rooms/{room_id}/read":                 "403 ok ok 403 403 403 401 visit",
    "POST /chat/rooms/{room_id}/mute":                 "403 ok ok 403 403 403 401 visit",
    "POST /chat/presence":                             "ok ok ok ok ok ok 401 visit",
    "PATCH /chat/messages/{message_id}":               "403 ok 403 403 403 403 401 visit",
    "DELETE /chat/messages/{message_id}":              "403 204 403 403 403 403 401 visit",
    "POST /chat/messages/{message_id}/reactions":      "403 ok ok 403 403 403 401 visit",
    "DELETE /chat/messages/{message_id}/reactions":    "403 ok ok 403 403 403 401 visit",
    "POST /chat/messages/{message_id}/pin":            "403 ok ok 403 403 403 401 visit",
    "POST /health/lab-results":                        "201 403 403 403 403 403 401 visit",
    "POST /notifications/{notification_id}/ack":       "404 404 ok 404 404 404 401 visit",
    "POST /notifications/{notification_id}/read":      "404 404 ok 404 404 404 401 visit",
    "POST /notifications/read":                        "ok ok ok ok ok ok 401 visit",
    "POST /knowledge/articles/{page_id}/feedback":     "201 201 404 201 201 404 401 visit",
    "PUT /knowledge/spaces/{space_id}/subscription":   "ok ok 404 ok ok 404 401 visit",
    "POST /training/quizzes/{quiz_id}/attempts":       "403 ok 403 ok ok 403 401 visit",
    "PUT /training/attempts/{attempt_id}/answers/{position}": "404 404 404 404 ok 403 401 visit",
    "POST /training/attempts/{attempt_id}/submit":     "404 404 404 404 ok 403 401 visit",
    "GET /workflows/definitions":                      "ok ok ok ok ok 403 401 visit",
    "GET /workflows/requests/{request_id}":            "404 404 ok ok 404 403 401 visit",
    "GET /workflows/inbox":                            "ok ok ok ok ok 403 401 visit",
    "POST /workflows/requests":                        "201 201 201 201 201 403 401 visit",
    "POST /workflows/steps/{step_id}/decision":        "403 403 403 ok 403 403 401 visit",
    "POST /workflows/steps/{step_id}/delegation":      "403 403 403 ok 403 403 401 visit",
    "GET /workflows/unit-requests":                    "403 403 403 ok 403 403 401 visit",
}


def _html_routes():
    for route in inventory.routes():
        if not route.route.startswith(tuple(ELSEWHERE)):
            yield route


def _api_operations():
    for path, item in api.get_openapi_schema()["paths"].items():
        for method in item:
            yield f"{method.upper()} {path}"  # path under /api/v1


def _undocumented_bodies(world) -> list[str]:
    """The API write bodies that the OpenAPI schema would not accept (or that send a body
    to an operation which documents none): a body the server takes must be one the schema
    describes."""
    schema = api.get_openapi_schema()
    wrong = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            key = f"{method.upper()} {path.removeprefix('/api/v1')}"
            if method == "get" or key not in BODIES:
                continue
            write = BODIES[key](world)
            content = operation.get("requestBody", {}).get("content", {})
            if write.encoding != "json":
                documented = write.encoding == "multipart" and "multipart/form-data" in content
            elif "application/json" in content:
                body_schema = {**content["application/json"]["schema"],
                               "components": schema["components"]}
                documented = jsonschema_rs.validator_for(body_schema).is_valid(write.data)
            else:
                documented = not write.data
            if not documented:
                wrong.append(key)
    return wrong


WRITES = {"POST", "PUT", "PATCH", "DELETE"}
ENDS_SESSION = {"accounts:logout", "accounts:session_end", "accounts:sessions_end_others"}


def _rows(world) -> list[tuple[str, str, str]]:
    """(row key, method, url) of every route."""
    rows = []
    for route in _html_routes():
        key = route.name or route.route
        method = "POST" if route.name in POST_ONLY or route.name in ENDS_SESSION else "GET"
        if route.name == "wagtail_serve":
            rows += [(name, "GET", world[name]) for name in ("space_url", "article_url")]
        elif not route.has_parameters:
            rows.append((key, method, reverse(route.name) if route.name else "/" + route.route))
        else:
            rows.append((key, method, fill(route.route, world, api=False)))
    for op in _api_operations():
        method, path = op.split(" ", 1)
        rows.append((op.replace(" /api/v1/", " /"), method, fill(path, world, api=True)))
    return rows


def _forget_cached_state() -> None:
    """What a rolled-back write may have left in the cache must not reach the next cell:
    locally all of it; in a shared Redis the marks of visibility rules and cached pages move
    on (rate-limit buckets stay: no role writes past its burst here)."""
    from django.core.cache import cache, caches
    from django.core.cache.backends.locmem import LocMemCache

    from collab.core import generations
    from knowledge.response_cache import GENERATION_KEY as RESPONSES_MARK
    from knowledge.visibility import RULES_MARK
    from training.lesson_cache import GENERATION_KEY as LESSONS_MARK

    if isinstance(caches["default"], LocMemCache):
        cache.clear()  # sessions are cached_db: they come back from the database
    else:
        for mark in (RULES_MARK, RESPONSES_MARK, LESSONS_MARK):
            generations.bump(mark)


def _write(client, key, method, url, world) -> str:
    """One state-changing cell, undone afterwards: the database in a savepoint, the client's
    cookies (a request may end its session) and the cache."""
    cookies = client.cookies
    client.cookies = SimpleCookie(cookies.output(header="", sep="\n"))
    probe = EFFECTS.get(key)
    before = probe(world) if probe else None
    try:
        with transaction.atomic():
            seen = outcome(BODIES[key](world).send(client, method, url))
            if probe and probe(world) != before:
                seen += "*"
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
        _forget_cached_state()
    return seen


def _observe(clients, key, method, url, world) -> list[str]:
    if method not in WRITES:
        return [outcome(clients[role].get(url)) for role in ROLES]
    if key not in BODIES:
        return ["?"] * len(ROLES)
    return [_write(clients[role], key, method, url, world) for role in ROLES]


def test_every_route_answers_every_role_as_written_down():
    world = make_world()
    clients = {role: client_for(role) for role in ROLES}
    table = HTML | API
    wrong, missing, report = [], [], []
    for key, method, url in _rows(world):
        if key not in table:
            missing.append(key)
        expected = table.get(key, "? " * len(ROLES)).split()
        if method in WRITES and key not in BODIES:
            missing.append(f"{key} (a body in tests/security/writes.py)")
        seen = _observe(clients, key, method, url, world)
        report.append(f'    "{key}": "{" ".join(seen)}",  # {method} {url}')
        if seen != expected:
            wrong.append(f"{key} {method} {url}: expected {expected}, got {seen}")
    print("\n".join(report))
    assert not (invalid := _undocumented_bodies(world)), f"bodies the schema refuses: {invalid}"
    assert not missing, f"routes without a row in the matrix: {missing}"
    assert not wrong, "\n".join(wrong)
