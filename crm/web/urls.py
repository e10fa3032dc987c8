from django.urls import include, path

from .accounts import views as accounts
from .customers import views as customers

app_name = "web"

urlpatterns = [
    path("", accounts.HomeView.as_view(), name="home"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("settings/", accounts.SettingsView.as_view(), name="settings"),
    path("settings/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("settings/tokens/", accounts.TokenCreateView.as_view(), name="token_create"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        accounts.TokenRevokeView.as_view(),
        name="token_revoke",
    ),
    path("users/", accounts.UserListView.as_view(), name="user_list"),
    path("users/<int:user_id>/active/", accounts.UserActiveView.as_view(), name="user_active"),
    path("reports/", include("crm.web.reports.urls")),
    path("customers/", customers.CustomerListView.as_view(), name="customer_list"),
    path("customers/new/", customers.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/trash/", customers.CustomerTrashView.as_view(), name="customer_trash"),
    path(
        "customers/<int:customer_id>/",
        customers.CustomerDetailView.as_view(),
        name="customer_detail",
    ),
    path(
        "customers/<int:customer_id>/edit/",
        customers.CustomerEditView.as_view(),
        name="customer_edit",
    ),
    path(
        "customers/<int:customer_id>/delete/",
        customers.CustomerDeleteView.as_view(),
        name="customer_delete",
    ),
    path(
        "customers/<int:customer_id>/restore/",
        customers.CustomerRestoreView.as_view(),
        name="customer_restore",
    ),
    path(
        "customers/<int:customer_id>/contacts/new/",
        customers.ContactCreateView.as_view(),
        name="contact_create",
    ),
]
