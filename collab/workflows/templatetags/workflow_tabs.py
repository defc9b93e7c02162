from django import template

from collab.directory.selectors import person_for_user

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def workflow_access(context) -> dict:
    """Which of the heads' and administrators' tabs the reader may open."""
    user = context["request"].user
    person = person_for_user(user)
    heads = bool(person and person.active and selectors.headed_units(person=person))
    return {"unit": heads, "reports": heads or user.has_perm("workflows.view_request")}
