from django.contrib import admin
from django.urls import include, path

from crm.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("crm.web.urls")),
]

# Errors outside a view's own handling: the JSON error contract on /api/, the HTML page elsewhere.
handler500 = "crm.api.errors.server_error"
handler404 = "crm.api.errors.page_not_found"
