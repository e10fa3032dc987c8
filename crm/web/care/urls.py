from django.urls import path

from . import caring_views, views

urlpatterns = [
    path("surveys/", views.SurveyListView.as_view(), name="survey_list"),
    path("surveys/<id:round_id>/", views.SurveyRoundView.as_view(), name="survey_round"),
    path("calls/<id:call_id>/", views.SurveyCallView.as_view(), name="survey_call"),
    path("calls/<id:call_id>/link/", views.SurveyLinkView.as_view(), name="survey_link"),
    path(
        "calls/<id:call_id>/action/",
        views.SurveyActionOpenView.as_view(),
        name="survey_action_open",
    ),
    path("performance/", views.PerformanceView.as_view(), name="survey_performance"),
    path("actions/", views.ActionListView.as_view(), name="care_actions"),
    path("actions/<id:action_id>/", views.ActionDetailView.as_view(), name="care_action"),
    path("reminders/", caring_views.RemindersView.as_view(), name="care_reminders"),
    path(
        "customers/<id:customer_id>/birthday/",
        caring_views.BirthdayView.as_view(),
        name="care_birthday",
    ),
    path("campaigns/", caring_views.CampaignListView.as_view(), name="care_campaigns"),
    path(
        "campaigns/<id:campaign_id>/",
        caring_views.CampaignDetailView.as_view(),
        name="care_campaign",
    ),
    path(
        "campaigns/<id:campaign_id>/targets/<id:target_id>/",
        caring_views.CampaignTargetView.as_view(),
        name="care_campaign_target",
    ),
    path(
        "campaigns/<id:campaign_id>/close/",
        caring_views.CampaignCloseView.as_view(),
        name="care_campaign_close",
    ),
]
