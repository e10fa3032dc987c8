from django.urls import path

from . import views

urlpatterns = [
    path("", views.VCardImportView.as_view(), name="vcard_import"),
]
