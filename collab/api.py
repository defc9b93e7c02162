"""The JSON API at /api/v1/ (django-ninja); each app contributes a router from its api.py."""

import json

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from collab.accounts.auth import BearerTokenAuth, SessionCookieAuth
from collab.core.errors import ServiceError
from collab.core.openapi import document_errors


class UnicodeJSONParser(Parser):
    """A lone surrogate escape ("\\ud800") parses but can be neither stored nor sent back:
    such a body is refused (400) like malformed JSON, before any operation sees it."""

    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body)
        json.dumps(data, ensure_ascii=False).encode()  # UnicodeEncodeError on a lone surrogate
        return data


class SahakarAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        return document_errors(super().get_openapi_schema(**kwargs))


api = SahakarAPI(
    title="Sahakar API",
    version="1",
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionCookieAuth()],
    parser=UnicodeJSONParser(),
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    fields = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields.append({"field": ".".join(loc), "message": err.get("msg", "")})
    message = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return api.create_response(
        request, {"message": f"Invalid input: {message}", "errors": fields}, status=422
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError):
    response = api.create_response(request, {"message": "Authentication required."}, status=401)
    challenge = 'Bearer realm="api"'
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        challenge += ', error="invalid_token"'  # RFC 6750: a token was sent but is not valid
    response["WWW-Authenticate"] = challenge
    return response


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError):
    response = api.create_response(request, exc.payload(), status=exc.status)
    if "retry_after" in exc.extra:
        response["Retry-After"] = str(max(1, round(exc.extra["retry_after"])))
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"message": str(exc)}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    # get_object_or_404 in an operation: the API's error shape, not ninja's {"detail": ...}
    return api.create_response(request, {"message": "Not found."}, status=404)


def _add_routers() -> None:
    from collab.consultations.api import router as consultations_router
    from collab.directory.api import router as directory_router
    from collab.health.api import router as health_router
    from collab.notifications.api import router as notifications_router
    from collab.search.api import router as search_router
    from collab.workflows.api import router as workflows_router
    from knowledge.api import router as knowledge_router
    from realtime.calls.api import router as calls_router
    from realtime.chat.api import router as chat_router
    from training.api import router as training_router

    api.add_router("/directory", directory_router)
    api.add_router("/chat", chat_router)
    api.add_router("/calls", calls_router)
    api.add_router("/health", health_router)
    api.add_router("/consultations", consultations_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/search", search_router)
    api.add_router("/knowledge", knowledge_router)
    api.add_router("/training", training_router)
    api.add_router("/workflows", workflows_router)


_add_routers()
