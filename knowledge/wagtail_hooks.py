"""Wagtail admin: the overdue-review report."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports import ReportView

from knowledge.choosers import position_chooser_viewset
from knowledge.rich_text import CheckedImageEmbedHandler
from knowledge.selectors import overdue_articles
from knowledge.visibility import media_readable, visible_articles_for


class OverdueReviewsView(ReportView):
    page_title = _("Overdue reviews")
    header_icon = "time"
    template_name = "knowledge/admin/overdue_report.html"
    results_template_name = "knowledge/admin/overdue_report_results.html"
    index_url_name = "knowledge_overdue_report"
    index_results_url_name = "knowledge_overdue_report_results"
    list_export = ["title", "review_date", "owner_position", "locale"]
    export_headings = {"review_date": _("Review date"), "owner_position": _("Owner")}
    context_object_name = "pages"

    def get_queryset(self):
        visible = visible_articles_for(self.request.user).values("pk")
        return overdue_articles().filter(pk__in=visible)

    def get_filename(self):
        return "overdue-reviews"


@hooks.register("register_admin_urls")
def register_overdue_report_urls():
    return [
        path(
            "reports/knowledge-overdue/",
            OverdueReviewsView.as_view(),
            name="knowledge_overdue_report",
        ),
        path(
            "reports/knowledge-overdue/results/",
            OverdueReviewsView.as_view(results_only=True),
            name="knowledge_overdue_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_overdue_report_menu_item():
    return MenuItem(
        _("Overdue reviews"),
        reverse("knowledge_overdue_report"),
        name="knowledge-overdue",
        icon_name="time",
        order=650,
    )


@hooks.register("register_admin_viewset")
def register_position_chooser():
    return position_chooser_viewset


@hooks.register("before_serve_document")
def refuse_documents_of_private_spaces(document, request):
    if media_readable(user=request.user, obj=document):
        return None
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    from django.http import HttpResponseForbidden

    return HttpResponseForbidden(_("This file belongs to a private space you are not a member of."))


# After Wagtail's own image feature (order 0): its handler would link to /media/.
@hooks.register("register_rich_text_features", order=10)
def serve_rich_text_images_through_the_checked_view(features):
    features.register_embed_type(CheckedImageEmbedHandler)


@hooks.register("register_permissions")
def register_space_editing_permission():
    # Shown in the group editor: the editor role, granted space by space (knowledge.permissions).
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="knowledge", codename="edit_spaces")


@hooks.register("construct_homepage_panels")
def show_no_private_space_on_the_dashboard(request, panels):
    from knowledge.admin_panels import filter_panels

    filter_panels(panels)
