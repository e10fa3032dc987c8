from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "crm.governance"
    label = "governance"
    verbose_name = _("数据治理")

    def ready(self) -> None:
        from crm.activities import tasks as activities_tasks
        from crm.customers import sensitive

        from . import masking, tasks

        sensitive.set_phone_rule(masking.may_see_phones)

        # audit entries become tamper-evident when sealed into the hash chain: every minute
        activities_tasks.on_every(
            tasks.SEAL_NAME, tasks.seal_audit_chain, minutes=tasks.SEAL_EVERY_MINUTES
        )
