from django.shortcuts import redirect

GUEST_SESSION_KEY = "consultation_guest"
# A patient's guest login reaches its own visit, the call and static files: nothing of the
# staff side (directory, chat, knowledge, API...).
GUEST_PATHS = ("/consultations/visit/", "/consultations/join/", "/meetings/netcheck/",
               "/static/", "/i18n/", "/jsi18n/", "/accounts/logout/")


def _allowed(path: str, appointment_id) -> bool:
    return path.startswith(GUEST_PATHS) or path == f"/consultations/{appointment_id}/consent/"


class PatientGuestMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        appointment_id = session.get(GUEST_SESSION_KEY) if session is not None else None
        if appointment_id is not None and not _allowed(request.path, appointment_id):
            return redirect("consultations:visit")
        return self.get_response(request)
