from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("orders/<str:number>/dispute/", views.dispute_open, name="open"),
    path("orders/<str:number>/return/", views.return_request, name="return_request"),
    path("disputes/officers/", views.officer_queues, name="officers"),
    path("disputes/<str:public_id>/", views.dispute_detail, name="detail"),
    path("disputes/<str:public_id>/arbitrate/", views.arbitration, name="arbitrate"),
    path("disputes/<str:public_id>/<str:action>/", views.dispute_act, name="act"),
    path("returns/<str:public_id>/", views.return_detail, name="return"),
    path("returns/<str:public_id>/<str:action>/", views.return_act, name="return_act"),
    path("seller/disputes/", views.seller_disputes, name="seller"),
]
