from django.urls import reverse

from . import oidc


class ProviderLogoutMiddleware:
    """RP-initiated logout: a sign-out of a single-sign-on session (any logout view) goes
    on to the provider's end-session endpoint, which comes back to the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        id_token = getattr(request, "identity_id_token", None)
        conf = oidc.config()
        if id_token is None or conf is None or response.status_code not in (301, 302, 303):
            return response
        back = request.build_absolute_uri(reverse("accounts:login"))
        try:
            url = oidc.client(conf).create_logout_url(
                post_logout_redirect_uri=back, id_token_hint=id_token, client_id=conf.client_id
            )["url"]
        except Exception:  # provider unreachable: the local sign-out has happened anyway
            return response
        response["Location"] = url
        return response
