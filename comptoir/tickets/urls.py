from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("support/requests/", views.ticket_list, name="list"),
    path("support/requests/<str:number>/", views.ticket_detail, name="detail"),
    path("support/requests/<str:number>/reply/", views.ticket_reply, name="reply"),
    path("support/requests/<str:number>/rating/", views.ticket_csat, name="csat"),
]
