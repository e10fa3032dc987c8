from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "crm.orders"
    label = "orders"
    verbose_name = _("订单")

    def ready(self) -> None:
        from crm.activities import services as activities
        from crm.governance import approvals
        from crm.sales import services as sales

        from . import digest, services

        # the general manager's signature confirms an order; a refusal sends it back to draft
        approvals.on_decided(services.on_sign_decided)
        # the owner's morning digest: licences running out, instalments overdue (催款)
        activities.on_digest(digest.licence_section)
        activities.on_digest(digest.overdue_section)
        # 赢单 → 订单: a won opportunity whose lines are catalogue products starts its order
        sales.on_won(services.start_from_won)
