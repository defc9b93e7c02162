from django.urls import path

from collab.health.http import no_store

from . import views

app_name = "consultations"
urlpatterns = no_store([
    path("", views.appointment_list, name="list"),
    path("<id:pk>/", views.appointment_detail, name="detail"),
    path("<id:pk>/call/", views.call, name="call"),
    path("<id:pk>/note/", views.sign_note, name="sign_note"),
    path("<id:pk>/link/", views.issue_link, name="issue_link"),
    path("<id:pk>/link/<id:link_pk>/revoke/", views.revoke_link, name="revoke_link"),
    path("<id:pk>/admit/", views.admit, name="admit"),
    path("<id:pk>/status/", views.set_status, name="status"),
    path("<id:pk>/consent/", views.consent, name="consent"),
    path("<id:pk>/fhir/", views.fhir_export, name="fhir"),
    path("join/<str:token>/", views.open_link, name="open_link"),
    path("visit/", views.visit, name="visit"),
    path("recordings/<str:key>/", views.recording_file, name="recording"),
])
