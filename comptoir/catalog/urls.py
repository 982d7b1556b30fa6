from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("products/<str:public_id>/", views.product_detail, name="product"),
    path("shops/<slug:slug>/", views.shop_detail, name="shop"),
    path("images/products/<str:public_id>/", views.product_image, name="image"),
]
