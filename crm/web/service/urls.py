from django.urls import path

from . import views

urlpatterns = [
    path("complaints/", views.ComplaintListView.as_view(), name="complaint_list"),
    path("complaints/new/", views.ComplaintNewView.as_view(), name="complaint_new"),
    path("complaints/report/", views.ComplaintReportView.as_view(), name="complaint_report"),
    path(
        "complaints/report/export/",
        views.ComplaintReportExportView.as_view(),
        name="complaint_report_export",
    ),
    path(
        "complaints/<id:complaint_id>/",
        views.ComplaintDetailView.as_view(),
        name="complaint_detail",
    ),
    path(
        "complaints/<id:complaint_id>/act/",
        views.ComplaintActView.as_view(),
        name="complaint_act",
    ),
    path(
        "complaints/<id:complaint_id>/attach/",
        views.ComplaintAttachView.as_view(),
        name="complaint_attach",
    ),
    path(
        "complaints/<id:complaint_id>/print/",
        views.ComplaintPrintView.as_view(),
        name="complaint_print",
    ),
    path(
        "attachments/<id:attachment_id>/",
        views.ComplaintAttachmentView.as_view(),
        name="complaint_attachment",
    ),
    path("settings/", views.SlaSettingsView.as_view(), name="sla_settings"),
    path(
        "customers/<id:customer_id>/records/new/",
        views.ServiceRecordCreateView.as_view(),
        name="service_record_create",
    ),
]
