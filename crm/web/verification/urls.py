from django.urls import path

from . import views

urlpatterns = [
    path("", views.RoundListView.as_view(), name="verification_list"),
    path("mine/", views.MineView.as_view(), name="verification_mine"),
    path("<id:round_id>/", views.RoundView.as_view(), name="verification_round"),
    path("items/<id:item_id>/", views.ItemView.as_view(), name="verification_item"),
]
