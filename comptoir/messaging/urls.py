from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/open/<str:key>/", views.inbox_item, name="open"),
    path("messages/shop/", views.seller_inbox, name="seller"),
    path("messages/flagged/", views.flagged, name="flagged"),
    path("messages/c/<str:public_id>/", views.conversation_detail, name="conversation"),
    path("messages/new/product/<str:public_id>/", views.start_about_product, name="start_product"),
    path("messages/new/order/<str:number>/", views.start_about_order, name="start_order"),
    path("messages/m/<str:public_id>/delete/", views.message_delete, name="delete"),
    path("messages/m/<str:public_id>/report/", views.message_report, name="report"),
]
