from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "crm.governance"
    label = "governance"
    verbose_name = _("数据治理")

    def ready(self) -> None:
        from crm.customers import sensitive

        from . import masking

        sensitive.set_phone_rule(masking.may_see_phones)
