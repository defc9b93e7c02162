"""``/scim/v2/``: Users for an identity provider, authenticated by the Bearer token of a
service account that has the ``identity.provision_people`` permission."""

import json
import re
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from collab.accounts.selectors import token_row
from collab.directory.models import Person

from . import scim, scim_bulk
from .models import ScimRecord

CONTENT_TYPE = "application/scim+json"
MAX_COUNT = 200


def _response(body: dict | None, status: int = 200, **headers) -> HttpResponse:
    data = "" if body is None else json.dumps(body, ensure_ascii=False)
    return HttpResponse(data, status=status, content_type=CONTENT_TYPE, headers=headers)


def _error(error: scim.ScimError) -> HttpResponse:
    return _response(error.body(), error.status)


def scim_endpoint(view):
    @csrf_exempt  # Bearer-token API: no cookies are looked at
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        row = token_row(header[7:].strip()) if header.lower().startswith("bearer ") else None
        if row is None:
            return _response(scim.ScimError(401, "A valid Bearer token is needed.").body(),
                             401, **{"WWW-Authenticate": 'Bearer realm="scim"'})  # fmt: skip
        if not row.user.has_perm("identity.provision_people"):
            return _error(scim.ScimError(403, "This token may not provision people."))
        try:
            return view(request, *args, **kwargs)
        except scim.ScimError as exc:
            return _error(exc)

    return wrapper


def _body(request: HttpRequest) -> dict:
    try:
        return json.loads(request.body or b"null")
    except ValueError as exc:
        raise scim.ScimError(400, "The body is not valid JSON.", "invalidSyntax") from exc


def _location(request: HttpRequest, person: Person) -> str:
    return request.build_absolute_uri(reverse("scim:user", args=[person.pk]))


def _user(request: HttpRequest, person: Person, status: int = 200) -> HttpResponse:
    record = ScimRecord.objects.filter(person=person).first()
    body = scim.resource(person, record, _location(request, person))
    headers = {"Location": body["meta"]["location"]}
    if "version" in body["meta"]:
        headers["ETag"] = body["meta"]["version"]
    return _response(body, status, **headers)


def _person(pk: str) -> Person:
    person = Person.objects.filter(pk=pk).first() if pk.isdigit() else None
    if person is None:
        raise scim.ScimError(404, f"No User with id {pk}.")
    return person


@scim_endpoint
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        person = scim.create(scim.fields_from(_body(request)))
        return _user(request, person, 201)
    if request.method != "GET":
        return _error(scim.ScimError(405, "Use GET or POST on /Users."))
    people = Person.objects.order_by("pk")
    if request.GET.get("filter"):
        attribute, value = scim.parse_filter(request.GET["filter"])
        if attribute == "username":
            people = people.filter(employee_id=value)
        elif attribute == "externalid":
            people = people.filter(scim_record__external_id=value)
        else:
            people = people.filter(pk=value) if value.isdigit() else people.none()
    try:
        start = max(1, int(request.GET.get("startIndex", 1)))
        count = min(MAX_COUNT, max(0, int(request.GET.get("count", 100))))
    except ValueError:
        return _error(scim.ScimError(400, "startIndex and count are integers.", "invalidValue"))
    total = people.count()
    page = list(people.select_related("scim_record")[start - 1 : start - 1 + count])
    resources = [
        scim.resource(p, getattr(p, "scim_record", None), _location(request, p)) for p in page
    ]
    return _response({"schemas": [scim.LIST], "totalResults": total, "startIndex": start,
                      "itemsPerPage": len(resources), "Resources": resources})  # fmt: skip


@scim_endpoint
def user(request: HttpRequest, pk: str) -> HttpResponse:
    person = _person(pk)
    if request.method == "GET":
        return _user(request, person)
    if request.method == "PUT":
        return _user(request, scim.replace(person, scim.fields_from(_body(request))))
    if request.method == "PATCH":
        return _user(request, scim.apply_patch(person, _body(request)))
    if request.method == "DELETE":
        # The directory keeps its people: a deleted User is a deactivated person.
        scim.set_active(person, False)
        return _response(None, 204)
    return _error(scim.ScimError(405, "Use GET, PUT, PATCH or DELETE on a User."))


def _one_operation(method: str, path: str, data) -> tuple[int, int | None, dict | None]:
    try:
        if method == "POST" and path == "/Users":
            return 201, scim.create(scim.fields_from(data)).pk, None
        match = re.fullmatch(r"/Users/(\d+)", path)
        if match is None:
            raise scim.ScimError(400, "Bulk takes /Users and /Users/{id}.", "invalidPath")
        person = _person(match[1])
        if method == "PUT":
            return 200, scim.replace(person, scim.fields_from(data)).pk, None
        if method == "PATCH":
            return 200, scim.apply_patch(person, data).pk, None
        if method == "DELETE":
            scim.set_active(person, False)
            return 204, None, None
        raise scim.ScimError(405, "Use POST, PUT, PATCH or DELETE in a Bulk operation.")
    except scim.ScimError as exc:
        return exc.status, None, exc.body()


@scim_endpoint
def bulk(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _error(scim.ScimError(405, "Use POST on /Bulk."))
    if len(request.body) > scim_bulk.MAX_PAYLOAD:
        return _error(scim.ScimError(413, "The Bulk request is too large.", "tooLarge"))
    body = scim_bulk.run(_body(request), single=_one_operation, location=lambda pk:
                         request.build_absolute_uri(reverse("scim:user", args=[pk])))  # fmt: skip
    return _response(body)


@scim_endpoint
def service_provider_config(request: HttpRequest) -> HttpResponse:
    return _response({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": True},
        "bulk": {"supported": True, "maxOperations": scim_bulk.MAX_OPERATIONS,
                 "maxPayloadSize": scim_bulk.MAX_PAYLOAD},
        "filter": {"supported": True, "maxResults": MAX_COUNT},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [{"type": "oauthbearertoken", "name": "Bearer token",
                                   "description": "A service account's API token"}],
    })  # fmt: skip
