from dataclasses import asdict

from csp.constants import HEADER
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from csp.utils import build_policy
from django.conf import settings

# Wagtail's editor writes inline scripts that no nonce can reach (its date, date-time and
# chooser widgets render <script> in Python, without the request), so the editor allows
# inline script. Its sign-in is the suite's own page (/accounts/login/, nonce-only, as
# everything else); editors are staff signed in with a second factor.
WAGTAIL_ADMIN_PREFIX = "/cms/"
ADMIN_SCRIPT_SRC = ["'self'", "'unsafe-inline'"]


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp, with two exceptions: the Wagtail editor's inline scripts (above), and with
    DEBUG on only Django's HTML 500 page goes without the policy (its debug page runs inline
    script); every 404 and every JSON answer keeps it."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(WAGTAIL_ADMIN_PREFIX):
            # A nonce in the policy would make browsers ignore 'unsafe-inline'.
            parts.replace = {**(parts.replace or {}), "script-src": ADMIN_SCRIPT_SRC}
            parts.nonce = None
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        debug_page = response.status_code == 500 and "html" in response.get("Content-Type", "")
        if settings.DEBUG and HEADER not in response and not debug_page:
            if not getattr(response, "_csp_exempt", False):
                parts = self.get_policy_parts(request=request, response=response)
                response[HEADER] = build_policy(**asdict(parts))
        return response
