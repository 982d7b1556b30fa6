from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("orders/", views.order_list, name="list"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/<str:number>/confirm-receipt/", views.confirm_receipt, name="confirm_receipt"),
    path("products/<str:public_id>/buy/", views.checkout, name="checkout"),
    path("seller/orders/", views.seller_orders, name="seller"),
    path("seller/orders/<str:number>/ship/", views.ship, name="ship"),
]
