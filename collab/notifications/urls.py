from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("settings/", views.settings_view, name="settings"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<id:notification_id>/", views.open_notification, name="open"),
    path("<id:notification_id>/ack/", views.acknowledge, name="ack"),
    path("<id:notification_id>/history/", views.history, name="history"),
    path("<id:notification_id>/read/", views.mark_read, name="read"),
    path("ack/<str:token>/", views.acknowledge_link, name="ack_link"),
]
