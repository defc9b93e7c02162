from django.urls import path

from . import views
from .http import no_store

app_name = "health"
urlpatterns = no_store([
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<id:pk>/", views.referral_detail, name="referral"),
    path("referrals/<id:pk>/fhir.json", views.referral_fhir, name="referral_fhir"),
    path("patients/find/", views.patient_find, name="patient_find"),
    path("patients/<str:health_id>/", views.patient_detail, name="patient"),
    path("lab-results/new/", views.lab_result_new, name="lab_result_new"),
    path("lab-results/<id:pk>/", views.lab_result_detail, name="lab_result"),
])
