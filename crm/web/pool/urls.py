from django.urls import path

from . import views

urlpatterns = [
    path("", views.PoolListView.as_view(), name="pool_list"),
    path("claim/", views.PoolClaimView.as_view(), name="pool_claim"),
    path("assign/", views.PoolAssignView.as_view(), name="pool_assign"),
    path("settings/", views.PoolSettingsView.as_view(), name="pool_settings"),
    path("settings/<id:pool_id>/", views.PoolEditView.as_view(), name="pool_edit"),
    path("settings/<id:pool_id>/rules/", views.RuleAddView.as_view(), name="pool_rule_add"),
    path(
        "settings/<id:pool_id>/rules/<id:rule_id>/delete/",
        views.RuleRemoveView.as_view(),
        name="pool_rule_remove",
    ),
]
