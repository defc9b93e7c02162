from django.urls import path

from .views import certificates, learning, manage, quiz

app_name = "training"
urlpatterns = [
    path("", learning.my_learning, name="my_learning"),
    path("lessons/<id:lesson_id>/", learning.lesson, name="lesson"),
    path("courses/<id:course_id>/enrol/", learning.enrol, name="enrol"),
    path("courses/<id:course_id>/renew/", learning.renew, name="renew"),
    path("quizzes/<id:quiz_id>/start/", quiz.start, name="start"),
    path("attempts/<id:attempt_id>/", quiz.attempt, name="attempt"),
    path("attempts/<id:attempt_id>/submit/", quiz.submit, name="submit"),
    path("certificates/<str:code>.pdf", certificates.certificate_pdf, name="certificate_pdf"),
    path("verify/", certificates.verify, name="verify_form"),
    path("verify/<str:code>/", certificates.verify, name="verify"),
    path("assign/", manage.assign, name="assign"),
    path("reports/", manage.reports, name="reports"),
    path("reports/<id:unit_id>/", manage.unit_report, name="unit_report"),
]
