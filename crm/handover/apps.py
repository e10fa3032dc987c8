from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "crm.handover"
    label = "handover"
    verbose_name = _("交接")

    def ready(self) -> None:
        from crm.governance import approvals

        from . import services

        # the director's decision: applied by the handler, a refusal noted by the listener
        approvals.on_decided(services.on_decided)
