from django.urls import path

from . import views

app_name = "calls"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("<id:pk>/", views.meeting_page, name="meeting"),
    path("from-room/<id:room_id>/", views.start_from_room, name="start_from_room"),
    path("netcheck/", views.netcheck, name="netcheck"),
]
