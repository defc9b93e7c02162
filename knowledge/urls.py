from django.urls import path

from knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("pages/<int:page_id>/pdf/", views.article_pdf_view, name="pdf"),
    path("pages/<int:page_id>/feedback/", views.feedback_view, name="feedback"),
    path("images/<int:image_id>/<str:spec>/", views.image_view, name="image"),
    path("spaces/<int:space_id>/subscription/", views.subscription_view, name="subscription"),
]
