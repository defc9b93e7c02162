from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import selectors
from ..errors import TrainingError


def person_required(view):
    """Log in first; then the login must belong to a person in the directory."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.person = selectors.person_for(request.user)
        if request.person is None:
            return refused(
                request,
                TrainingError(
                    "no_person",
                    _("Your login is not linked to a person in the directory. "
                      "Ask an administrator to link it."),
                    status=403,
                ),
            )
        return view(request, *args, **kwargs)

    return wrapper


def refused(request, error: TrainingError):
    return render(request, "training/refused.html", {"error": error}, status=error.status)
