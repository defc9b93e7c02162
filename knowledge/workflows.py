"""What happens when a workflow is approved to the end."""

from wagtail.workflows import publish_workflow_state


def publish_approved(workflow_state, user=None):
    """Knowledge pages: the last approver was entitled by position (who_must_act), not by a
    Wagtail publish permission, so publish without Wagtail's group permission check.
    Everything else keeps Wagtail's default."""
    from knowledge.models import ArticlePage, KnowledgeSpacePage

    obj = workflow_state.content_object
    if isinstance(getattr(obj, "specific", obj), ArticlePage | KnowledgeSpacePage):
        obj.get_latest_revision().publish(user=user, skip_permission_checks=True)
        return
    publish_workflow_state(workflow_state, user=user)
