from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("orders/<str:number>/dispute/", views.dispute_open, name="open"),
    path("disputes/<str:public_id>/", views.dispute_detail, name="detail"),
    path("disputes/<str:public_id>/<str:action>/", views.dispute_act, name="act"),
    path("seller/disputes/", views.seller_disputes, name="seller"),
]
