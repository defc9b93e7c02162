from django.urls import path

from knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("pages/<id:page_id>/pdf/", views.article_pdf_view, name="pdf"),
    path("pages/<id:page_id>/feedback/", views.feedback_view, name="feedback"),
    path("images/<id:image_id>/<str:spec>/", views.image_view, name="image"),
    path("spaces/<id:space_id>/subscription/", views.subscription_view, name="subscription"),
]
