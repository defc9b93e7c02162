from django.urls import path

from . import unit_views, views

app_name = "workflows"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.definitions, name="definitions"),
    path("new/<slug:key>/", views.start, name="start"),
    path("requests/<id:pk>/", views.request_detail, name="request"),
    path("unit/", unit_views.unit_requests, name="unit"),
    path("reports/", unit_views.report, name="reports"),
    path("reports/export.csv", unit_views.report_csv, name="reports_csv"),
]

from . import document_views  # noqa: E402  (appended: files, decision document, verification)

urlpatterns += [
    path("attachments/<id:attachment_id>/", document_views.attachment_file, name="attachment"),
    path("requests/<id:pk>/decision.pdf", document_views.decision_pdf, name="decision_pdf"),
    path("verify/", document_views.verify, name="verify_form"),
    path("verify/<str:code>/", document_views.verify, name="verify"),
]
