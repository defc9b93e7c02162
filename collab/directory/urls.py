from django.urls import path

from collab.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.index, name="index"),
    path("search", views.search, name="search"),
    path("units/<str:code>/", views.unit_detail, name="unit"),
    path("people/<str:employee_id>/", views.person_detail, name="person"),
]
