from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from comptoir.api.api import api
from comptoir.catalog import views as catalog_views
from comptoir.core import views as core_views

urlpatterns = [
    path("", catalog_views.home, name="home"),  # products + the demo-login table
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("accounts/", include("comptoir.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("comptoir.catalog.urls")),
    path("", include("comptoir.orders.urls")),
    path("", include("comptoir.core.uploads.urls")),  # /files/<public_id>/ (private files)
    path("", include("comptoir.tickets.urls")),  # /support/requests/ ("Mes demandes")
    path("", include("comptoir.intake.urls")),  # /support/new/ (the contact form)
    path("", include("comptoir.helpcenter.urls")),  # /help/ (help center, contact menu)
    path("", include("comptoir.ledger.urls")),  # /seller/balance/ (buyer protection money)
    path("", include("comptoir.messaging.urls")),  # /messages/ (the Message Center)
    path("", include("comptoir.console.urls")),  # /console/ (the agent console)
    path("", include("comptoir.disputes.urls")),  # /disputes/, /seller/disputes/ (litiges)
]
