from django.urls import path

from . import views

urlpatterns = [
    path("", views.OrderListView.as_view(), name="order_list"),
    path("new/", views.OrderFormView.as_view(), name="order_new"),
    path("reviews/", views.ReviewQueueView.as_view(), name="order_reviews"),
    path("payments/", views.PaymentsView.as_view(), name="order_payments"),
    path("statistics/", views.StatisticsView.as_view(), name="sales_statistics"),
    path(
        "statistics/export/<slug:fmt>/",
        views.StatisticsExportView.as_view(),
        name="sales_statistics_export",
    ),
    path("licences/", views.LicenceListView.as_view(), name="licence_list"),
    path("licences/new/", views.LicenceFormView.as_view(), name="licence_new"),
    path("licences/<id:licence_id>/", views.LicenceFormView.as_view(), name="licence_edit"),
    path(
        "licences/<id:licence_id>/delete/",
        views.LicenceDeleteView.as_view(),
        name="licence_delete",
    ),
    path("<id:order_id>/", views.OrderDetailView.as_view(), name="order_detail"),
    path("<id:order_id>/edit/", views.OrderEditView.as_view(), name="order_edit"),
    path("<id:order_id>/submit/", views.OrderSubmitView.as_view(), name="order_submit"),
    path(
        "<id:order_id>/reviews/<slug:area>/",
        views.OrderReviewView.as_view(),
        name="order_review",
    ),
    path("<id:order_id>/sign/", views.OrderSignView.as_view(), name="order_sign"),
    path(
        "<id:order_id>/signature-request/",
        views.OrderSignatureRequestView.as_view(),
        name="order_signature_request",
    ),
    path("<id:order_id>/deliver/", views.OrderDeliverView.as_view(), name="order_deliver"),
    path("<id:order_id>/close/", views.OrderCloseView.as_view(), name="order_close"),
    path("<id:order_id>/cancel/", views.OrderCancelView.as_view(), name="order_cancel"),
    path("<id:order_id>/files/", views.OrderFilesView.as_view(), name="order_files"),
    path("<id:order_id>/files/<id:file_id>/", views.OrderFileView.as_view(), name="order_file"),
    path("<id:order_id>/pdf/", views.OrderPdfView.as_view(), name="order_pdf"),
    path("<id:order_id>/plan/", views.OrderPlanView.as_view(), name="order_plan"),
    path("<id:order_id>/receipts/", views.OrderReceiptView.as_view(), name="order_receipt"),
    path("<id:order_id>/property/", views.OrderPropertyView.as_view(), name="order_property"),
]
