from django.urls import path

from . import scim_views

app_name = "scim"
urlpatterns = [
    path("Users", scim_views.users, name="users"),
    path("Users/<str:pk>", scim_views.user, name="user"),
    path("Bulk", scim_views.bulk, name="bulk"),
    path("ServiceProviderConfig", scim_views.service_provider_config, name="config"),
]
