from django.urls import path

from . import views

app_name = "chat"
urlpatterns = [
    path("", views.chat_home, name="home"),
    path("rooms/<id:room_id>/", views.chat_home, name="room"),
    path("files/<id:attachment_id>/", views.attachment_file, name="file"),
    path("files/<id:attachment_id>/thumbnail/", views.attachment_thumbnail, name="thumbnail"),
]
