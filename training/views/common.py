from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail import hooks

from collab.core.errors import ServiceError
from collab.directory.selectors import person_for_user

from .. import selectors


def person_required(view):
    """Log in first; then the login must belong to a person in the directory."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.person = person_for_user(request.user)
        if request.person is None:
            return refused(request, no_person_error())
        return view(request, *args, **kwargs)

    return wrapper


def no_person_error() -> ServiceError:
    return ServiceError(
        "no_person",
        _(
            "Your login is not linked to a person in the directory. "
            "Ask an administrator to link it."
        ),
        status=403,
    )


def refused(request, error: ServiceError):
    return render(request, "training/refused.html", {"error": error}, status=error.status)


def restriction_error(request, page) -> ServiceError | None:
    """Wagtail's view restrictions (login, groups, password) on ``page`` or above it, for
    actions that do not go through Wagtail's serve view."""
    for restriction in page.get_view_restrictions():
        if not selectors.passes_restriction(restriction, user=request.user, request=request):
            return ServiceError(
                "restricted",
                _("This course is restricted. Open its page first to get access."),
                status=403,
            )
    return None


def serve_through_wagtail(request, page, render_page) -> HttpResponse:
    """Run Wagtail's serve hooks (view restrictions: login, groups, password form) around
    ``render_page()``, as Wagtail's own serve view does, for our short links."""

    def chain(page, request, args, kwargs):
        return render_page()

    for hook in reversed(hooks.get_hooks("on_serve_page")):
        if not getattr(hook, "renders_page", False):  # render_page() serves this page
            chain = hook(chain)
    for hook in hooks.get_hooks("before_serve_page"):
        result = hook(page, request, (), {})
        if isinstance(result, HttpResponse):
            return result
    return chain(page, request, (), {})
