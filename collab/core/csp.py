from dataclasses import asdict

from csp.constants import HEADER
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp, but with DEBUG on only Django's HTML 500 page goes without the policy (its
    debug page runs inline script); every 404 and every JSON answer keeps it."""

    def process_response(self, request, response):
        response = super().process_response(request, response)
        debug_page = response.status_code == 500 and "html" in response.get("Content-Type", "")
        if settings.DEBUG and HEADER not in response and not debug_page:
            if not getattr(response, "_csp_exempt", False):
                parts = self.get_policy_parts(request=request, response=response)
                response[HEADER] = build_policy(**asdict(parts))
        return response
