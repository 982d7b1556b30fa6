from django.urls import path

from .webform import views

app_name = "intake"

urlpatterns = [
    path("support/new/", views.contact, name="contact"),
]
