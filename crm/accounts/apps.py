from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "crm.accounts"
    label = "accounts"
    verbose_name = _("账户与权限")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_signed_in_session

        # every sign-in (the web's, the admin's, a test client's) starts the session's clock
        user_logged_in.connect(stamp_signed_in_session, dispatch_uid="crm.session_started")
