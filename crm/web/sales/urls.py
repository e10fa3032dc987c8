from django.urls import path

from . import views

urlpatterns = [
    path("", views.BoardView.as_view(), name="sales_board"),
    path("stages/<id:stage_id>/", views.BoardColumnView.as_view(), name="sales_column"),
    path("list/", views.ListView.as_view(), name="opportunity_list"),
    path("new/", views.OpportunityFormView.as_view(), name="opportunity_create"),
    path("<id:opportunity_id>/", views.DetailView.as_view(), name="opportunity_detail"),
    path("<id:opportunity_id>/edit/", views.OpportunityFormView.as_view(), name="opportunity_edit"),
    path(
        "<id:opportunity_id>/action/",
        views.OpportunityActionView.as_view(),
        name="opportunity_action",
    ),
    path("<id:opportunity_id>/move/", views.MoveView.as_view(), name="opportunity_move"),
    path("forecast/", views.ForecastView.as_view(), name="sales_forecast"),
    path("funnel/", views.FunnelView.as_view(), name="sales_funnel"),
    path("reasons/", views.ReasonsView.as_view(), name="sales_reasons"),
    path("export/<slug:report>/", views.ReportExportView.as_view(), name="sales_export"),
    path("settings/", views.SettingsView.as_view(), name="sales_settings"),
    path("settings/pipelines/new/", views.PipelineEditView.as_view(), name="pipeline_create"),
    path(
        "settings/pipelines/<id:pipeline_id>/",
        views.PipelineEditView.as_view(),
        name="pipeline_edit",
    ),
]
