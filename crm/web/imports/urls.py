from django.urls import path

from . import views

urlpatterns = [
    path("", views.ImportListView.as_view(), name="import_list"),
    path("template/", views.ImportTemplateView.as_view(), name="import_template"),
    path("<id:job_id>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("<id:job_id>/progress/", views.ImportProgressView.as_view(), name="import_progress"),
    path("<id:job_id>/start/", views.ImportStartView.as_view(), name="import_start"),
    path("<id:job_id>/cancel/", views.ImportCancelView.as_view(), name="import_cancel"),
    path("<id:job_id>/undo/", views.ImportUndoView.as_view(), name="import_undo"),
    path("<id:job_id>/errors/", views.ImportErrorsView.as_view(), name="import_errors"),
]
