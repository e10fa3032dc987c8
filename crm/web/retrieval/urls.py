from django.urls import path

from . import views

urlpatterns = [
    path("", views.DataRequestListView.as_view(), name="data_request_list"),
    path("new/", views.DataRequestNewView.as_view(), name="data_request_new"),
    path("export/<slug:target>/", views.ListExportNewView.as_view(), name="list_export_new"),
    path("<id:request_id>/", views.DataRequestDetailView.as_view(), name="data_request_detail"),
    path(
        "<id:request_id>/export/",
        views.DataRequestExportView.as_view(),
        name="data_request_export",
    ),
]
