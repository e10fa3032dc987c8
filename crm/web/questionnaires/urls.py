from django.urls import path

from . import views

urlpatterns = [
    path("", views.FormListView.as_view(), name="form_list"),
    path("templates/", views.TemplateInstallView.as_view(), name="form_templates"),
    path("<id:form_id>/", views.FormBuilderView.as_view(), name="form_builder"),
    path(
        "<id:form_id>/sections/<id:section_id>/",
        views.SectionEditView.as_view(),
        name="form_section",
    ),
    path(
        "<id:form_id>/questions/<id:question_id>/",
        views.QuestionEditView.as_view(),
        name="form_question",
    ),
    path("<id:form_id>/responses/", views.ResponseListView.as_view(), name="form_responses"),
    path("<id:form_id>/export/", views.ResponseExportView.as_view(), name="form_export"),
    path("<id:form_id>/analysis/", views.AnalysisView.as_view(), name="form_analysis"),
    path(
        "<id:form_id>/customers/<id:customer_id>/",
        views.FillView.as_view(),
        name="form_fill",
    ),
    path("responses/<id:response_id>/", views.ResponseDetailView.as_view(), name="form_response"),
]
