from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from comptoir.api.api import api
from comptoir.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("accounts/", include("comptoir.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("comptoir.core.uploads.urls")),  # /files/<public_id>/ (private files)
]
