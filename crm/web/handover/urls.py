from django.urls import path

from . import views

urlpatterns = [
    path("", views.HandoverListView.as_view(), name="handover_list"),
    path("new/", views.HandoverStartView.as_view(), name="handover_start"),
    path("<id:handover_id>/", views.HandoverDetailView.as_view(), name="handover_detail"),
]
