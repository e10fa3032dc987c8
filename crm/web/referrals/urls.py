from django.urls import path

from . import views

# included at the site's root by crm/web/urls.py (the web namespace)
urlpatterns = [
    path("referrals/", views.ReferralsView.as_view(), name="referrals"),
    path("referrals/export/", views.RankingExportView.as_view(), name="referral_export"),
    path("settings/referrals/", views.SettingsView.as_view(), name="referral_settings"),
    path(
        "customers/<id:customer_id>/referral-cards/",
        views.CardIssueView.as_view(),
        name="referral_card_issue",
    ),
    path(
        "customers/<id:customer_id>/referral/",
        views.LinkCreateView.as_view(),
        name="referral_link_create",
    ),
    path("referral-cards/<id:card_id>/", views.CardView.as_view(), name="referral_card"),
    path(
        "referral-cards/<id:card_id>/revoke/",
        views.CardRevokeView.as_view(),
        name="referral_card_revoke",
    ),
    path(
        "referral-rewards/<id:reward_id>/paid/",
        views.RewardPaidView.as_view(),
        name="referral_reward_paid",
    ),
    path(
        "referral-links/<id:link_id>/confirm/",
        views.ConfirmView.as_view(),
        name="referral_confirm",
    ),
    path(
        "referral-links/<id:link_id>/decline/",
        views.DeclineView.as_view(),
        name="referral_decline",
    ),
]
