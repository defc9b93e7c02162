"""Wagtail's dashboard panels, showing nothing of a private space the user is not a member
of: a former member's recent edits, locks and submissions would still name its pages."""

from __future__ import annotations

from wagtail.admin.views import home
from wagtail.models import Page

from knowledge.visibility import hidden_space_paths


def _shown(obj, hidden: list[str]) -> bool:
    return not (isinstance(obj, Page) and any(obj.path.startswith(h) for h in hidden))


class _Filtered:
    key = ""

    def page_of(self, item):
        return item

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        hidden = hidden_space_paths(parent_context["request"].user)
        if hidden:
            context[self.key] = [i for i in context[self.key] if _shown(self.page_of(i), hidden)]
        return context


class RecentEditsPanel(_Filtered, home.RecentEditsPanel):
    key = "last_edits"

    def page_of(self, item):
        return item[1]


class LockedPagesPanel(_Filtered, home.LockedPagesPanel):
    key = "locked_pages"


class UserObjectsInWorkflowModerationPanel(_Filtered, home.UserObjectsInWorkflowModerationPanel):
    key = "workflow_states"

    def page_of(self, item):
        return item.content_object


class WorkflowObjectsToModeratePanel(_Filtered, home.WorkflowObjectsToModeratePanel):
    key = "states"

    def page_of(self, item):
        return item["obj"]


REPLACEMENTS = {
    home.RecentEditsPanel: RecentEditsPanel,
    home.LockedPagesPanel: LockedPagesPanel,
    home.UserObjectsInWorkflowModerationPanel: UserObjectsInWorkflowModerationPanel,
    home.WorkflowObjectsToModeratePanel: WorkflowObjectsToModeratePanel,
}


def filter_panels(panels: list) -> None:
    for i, panel in enumerate(panels):
        ours = REPLACEMENTS.get(type(panel))
        if ours is not None:
            panels[i] = ours()
