from django.urls import include, path, register_converter

from .accounts import roles, security
from .accounts import views as accounts
from .activities import views as activities
from .care import public as care_public
from .customers import lifecycle_views as lifecycle
from .customers import list_views, share_views
from .customers import views as customers
from .governance import confidentiality_views as confidentiality
from .governance import views as governance
from .pool import views as pool
from .reception import views as reception


class IdConverter:
    """A record id in an address: at most 18 digits, so that a longer number is "not found"
    rather than a number the database cannot hold (a 500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

app_name = "web"

urlpatterns = [
    path("", accounts.HomeView.as_view(), name="home"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("login/code/", security.LoginCodeView.as_view(), name="login_code"),
    path("settings/2fa/", security.TwoFactorEnrolView.as_view(), name="two_factor_enrol"),
    path(
        "settings/2fa/disable/",
        security.TwoFactorDisableView.as_view(),
        name="two_factor_disable",
    ),
    path(
        "settings/2fa/recovery/",
        security.RecoveryCodesView.as_view(),
        name="two_factor_recovery",
    ),
    path(
        "users/<id:user_id>/2fa-reset/",
        security.UserTwoFactorResetView.as_view(),
        name="user_two_factor_reset",
    ),
    path("settings/", accounts.SettingsView.as_view(), name="settings"),
    path("settings/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("settings/tokens/", accounts.TokenCreateView.as_view(), name="token_create"),
    path(
        "settings/tokens/<id:token_id>/revoke/",
        accounts.TokenRevokeView.as_view(),
        name="token_revoke",
    ),
    path("settings/grades/", lifecycle.GradeSettingsView.as_view(), name="grade_settings"),
    path("settings/followup/", lifecycle.FollowUpSettingsView.as_view(), name="followup_settings"),
    path("settings/sources/", lifecycle.SourceSettingsView.as_view(), name="source_settings"),
    path(
        "settings/sources/<id:source_id>/",
        lifecycle.SourceEditView.as_view(),
        name="source_edit",
    ),
    path("settings/roles/", roles.RoleListView.as_view(), name="role_list"),
    path("settings/roles/<slug:code>/", roles.RoleEditView.as_view(), name="role_edit"),
    path("settings/roles/<slug:code>/delete/", roles.RoleDeleteView.as_view(), name="role_delete"),
    path("users/", accounts.UserListView.as_view(), name="user_list"),
    path("users/<id:user_id>/active/", accounts.UserActiveView.as_view(), name="user_active"),
    path("users/<id:user_id>/role/", roles.UserRoleView.as_view(), name="user_role"),
    path("users/<id:user_id>/edit/", accounts.UserEditView.as_view(), name="user_edit"),
    path("users/<id:user_id>/unlock/", accounts.UserUnlockView.as_view(), name="user_unlock"),
    path(
        "users/<id:user_id>/password/",
        accounts.UserPasswordResetView.as_view(),
        name="user_password_reset",
    ),
    path("approvals/", roles.ApprovalListView.as_view(), name="approval_list"),
    path(
        "approvals/<id:request_id>/decide/",
        roles.ApprovalDecideView.as_view(),
        name="approval_decide",
    ),
    path("audit/", governance.AuditListView.as_view(), name="audit_list"),
    path("audit/access/", confidentiality.AccessLogView.as_view(), name="access_log"),
    path(
        "audit/access/export/",
        confidentiality.AccessLogExportView.as_view(),
        name="access_log_export",
    ),
    path(
        "settings/confidentiality/",
        confidentiality.ConfidentialitySettingsView.as_view(),
        name="confidentiality_settings",
    ),
    path(
        "customers/<id:customer_id>/reveal/<slug:field>/",
        confidentiality.RevealFieldView.as_view(),
        name="customer_reveal",
    ),
    path("reports/", include("crm.web.reports.urls")),
    path("pool/", include("crm.web.pool.urls")),
    path("handovers/", include("crm.web.handover.urls")),
    path("data-requests/", include("crm.web.retrieval.urls")),
    path("imports/", include("crm.web.imports.urls")),
    path("vcards/", include("crm.web.vcards.urls")),
    path("verification/", include("crm.web.verification.urls")),
    path("forms/", include("crm.web.questionnaires.urls")),
    path("sales/", include("crm.web.sales.urls")),
    path("care/", include("crm.web.care.urls")),
    path("knowledge/", include("crm.web.knowledge.urls")),
    path("s/<str:token>/", care_public.SurveyPublicView.as_view(), name="survey_public"),
    path("products/", include("crm.web.products.urls")),
    path("orders/", include("crm.web.orders.urls")),
    path("service/", include("crm.web.service.urls")),
    path("complain/", include("crm.web.service.public_urls")),
    path(
        "customers/<id:customer_id>/pool-lock/",
        pool.CustomerPoolLockView.as_view(),
        name="customer_pool_lock",
    ),
    path(
        "customers/<id:customer_id>/pool-unlock/",
        pool.CustomerPoolUnlockView.as_view(),
        name="customer_pool_unlock",
    ),
    path("customers/", customers.CustomerListView.as_view(), name="customer_list"),
    path("customers/new/", customers.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/trash/", customers.CustomerTrashView.as_view(), name="customer_trash"),
    path("customers/columns/", list_views.ColumnsView.as_view(), name="customer_columns"),
    path("customers/bulk/", list_views.BulkView.as_view(), name="customer_bulk"),
    path("customers/views/", list_views.SavedViewListView.as_view(), name="customer_views"),
    path(
        "customers/views/<id:view_id>/rename/",
        list_views.SavedViewChangeView.as_view(operation="rename"),
        name="customer_view_rename",
    ),
    path(
        "customers/views/<id:view_id>/delete/",
        list_views.SavedViewChangeView.as_view(operation="delete"),
        name="customer_view_delete",
    ),
    path(
        "customers/views/<id:view_id>/share/",
        list_views.SavedViewChangeView.as_view(operation="share"),
        name="customer_view_share",
    ),
    path(
        "customers/<id:customer_id>/",
        customers.CustomerDetailView.as_view(),
        name="customer_detail",
    ),
    path(
        "customers/<id:customer_id>/edit/",
        customers.CustomerEditView.as_view(),
        name="customer_edit",
    ),
    path(
        "customers/<id:customer_id>/delete/",
        customers.CustomerDeleteView.as_view(),
        name="customer_delete",
    ),
    path(
        "customers/<id:customer_id>/restore/",
        customers.CustomerRestoreView.as_view(),
        name="customer_restore",
    ),
    path(
        "customers/<id:customer_id>/shares/",
        share_views.CustomerShareView.as_view(),
        name="customer_share",
    ),
    path(
        "customers/<id:customer_id>/shares/<id:share_id>/revoke/",
        share_views.CustomerUnshareView.as_view(),
        name="customer_unshare",
    ),
    path(
        "customers/<id:customer_id>/contacts/new/",
        customers.ContactCreateView.as_view(),
        name="contact_create",
    ),
    path(
        "customers/<id:customer_id>/contacts/<id:contact_id>/edit/",
        customers.ContactEditView.as_view(),
        name="contact_edit",
    ),
    path(
        "customers/<id:customer_id>/contacts/<id:contact_id>/delete/",
        customers.ContactDeleteView.as_view(),
        name="contact_delete",
    ),
    path(
        "customers/<id:customer_id>/followups/new/",
        activities.FollowUpCreateView.as_view(),
        name="followup_create",
    ),
    path(
        "customers/<id:customer_id>/plans/new/",
        activities.PlanCreateView.as_view(),
        name="plan_create",
    ),
    path(
        "customers/<id:customer_id>/plans/<id:plan_id>/edit/",
        activities.PlanUpdateView.as_view(),
        name="plan_update",
    ),
    path(
        "customers/<id:customer_id>/plans/<id:plan_id>/cancel/",
        activities.PlanCancelView.as_view(),
        name="plan_cancel",
    ),
    path(
        "customers/<id:customer_id>/transition/",
        lifecycle.CustomerTransitionView.as_view(),
        name="customer_transition",
    ),
    path(
        "customers/<id:customer_id>/transition/grade/",
        lifecycle.GradeSuggestView.as_view(),
        name="grade_suggest",
    ),
    path(
        "customers/<id:customer_id>/defeats/<id:analysis_id>/comment/",
        lifecycle.DefeatCommentView.as_view(),
        name="defeat_comment",
    ),
    path(
        "attachments/<int:attachment_id>/",
        activities.AttachmentView.as_view(),
        name="attachment",
    ),
    path(
        "followups/<int:followup_id>/comment/",
        activities.FollowUpCommentView.as_view(),
        name="followup_comment",
    ),
    path("reception/", reception.DeskView.as_view(), name="reception_desk"),
    path("reception/lookup/", reception.LookupView.as_view(), name="reception_lookup"),
    path("reception/rotation/", reception.RotationView.as_view(), name="reception_rotation"),
    path("reception/me/", reception.MyReceptionView.as_view(), name="reception_me"),
    path(
        "reception/seats/<id:seat_id>/status/",
        reception.SeatStatusView.as_view(),
        name="reception_seat_status",
    ),
    path("reception/visits/", reception.VisitListView.as_view(), name="reception_visits"),
    path(
        "reception/visits/export/",
        reception.SummaryExportView.as_view(),
        name="reception_summary_export",
    ),
    path(
        "reception/complaints/", reception.ComplaintListView.as_view(), name="reception_complaints"
    ),
    path(
        "reception/complaints/<id:complaint_id>/decide/",
        reception.ComplaintDecideView.as_view(),
        name="reception_complaint_decide",
    ),
    path("reception/record/<id:user_id>/", reception.RecordView.as_view(), name="reception_record"),
    path("today/", activities.TodayView.as_view(), name="today"),
    path("today/rows/", activities.DueRowsView.as_view(), name="due_rows"),
    path(
        "notifications/read/",
        activities.NotificationReadView.as_view(),
        name="notifications_read",
    ),
    path("team/", activities.TeamDayView.as_view(), name="team_day"),
    path("calendar/", activities.CalendarView.as_view(), name="calendar"),
    path("calendar/reset/", activities.CalendarResetView.as_view(), name="calendar_reset"),
    path("", include("crm.web.referrals.urls")),
]
