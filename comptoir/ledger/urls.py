from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("seller/balance/", views.balance, name="balance"),
    path("seller/balance/payout/", views.payout, name="payout"),
]
