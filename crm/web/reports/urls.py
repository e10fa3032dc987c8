from django.urls import path

from . import views

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="report_overview"),
    path("daily/", views.DailyReportView.as_view(), name="report_daily"),
    path("daily/export/", views.DailyExportView.as_view(), name="report_daily_export"),
    path("contact-status/", views.ContactStatusView.as_view(), name="report_contact_status"),
    path(
        "contact-status/export/",
        views.ContactStatusExportView.as_view(),
        name="report_contact_status_export",
    ),
    path("defeats/", views.DefeatReportView.as_view(), name="report_defeats"),
    path("defeats/export/", views.DefeatExportView.as_view(), name="report_defeats_export"),
]
