from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("seller/balance/", views.balance, name="balance"),
    path("seller/balance/payout/", views.payout, name="payout"),
    path("staff/payments/failed/", views.staff_failed, name="staff_failed"),
    path("staff/payments/failed/<str:public_id>/retry/", views.staff_retry, name="staff_retry"),
]
