"""The public complaint form (no sign-in), under /complain/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.PublicComplaintView.as_view(), name="public_complaint"),
    path(
        "done/<str:receipt>/", views.PublicComplaintDoneView.as_view(), name="public_complaint_done"
    ),
    path("track/", views.PublicComplaintTrackView.as_view(), name="public_complaint_track"),
]
