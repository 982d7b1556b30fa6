from django.urls import path

from .views import file_download

urlpatterns = [
    path("files/<str:public_id>/", file_download, name="file-download"),
]
