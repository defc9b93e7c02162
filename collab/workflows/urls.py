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
