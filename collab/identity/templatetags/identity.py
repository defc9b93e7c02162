from django import template
from django.conf import settings

from collab.identity import oidc

register = template.Library()


@register.simple_tag(takes_context=True)
def sso_provider(context):
    """The configured provider (``.name``), or None; also says whether passwords are off."""
    context["passwords_off"] = not getattr(settings, "SAHAKAR_PASSWORD_LOGIN", True)
    return oidc.config()
