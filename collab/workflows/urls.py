from django.urls import path

from . import views

app_name = "workflows"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.definitions, name="definitions"),
    path("new/<slug:key>/", views.start, name="start"),
    path("requests/<id:pk>/", views.request_detail, name="request"),
]
