from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "crm.reception"
    label = "reception"
    verbose_name = _("接待管理")

    def ready(self) -> None:
        from crm.customers import hooks

        from . import services

        hooks.on_category_entered(services.credit_on_deal)
