from django.urls import path

from collab.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("people/", views.people_typeahead, name="people"),
]
