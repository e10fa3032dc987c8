from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetrievalConfig(AppConfig):
    name = "crm.retrieval"
    label = "retrieval"
    verbose_name = _("客户数据调用")

    def ready(self) -> None:
        from crm.governance import approvals
        from crm.governance import selectors as audit_selectors

        from . import selectors, services

        # the last approval makes the request ready to export; a refusal closes it
        approvals.on_decided(services.on_decided)
        # a customer's access log lists the exports that held it
        audit_selectors.on_customer_events(selectors.exports_of_customer)
