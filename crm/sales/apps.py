from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "crm.sales"
    label = "sales"
    verbose_name = _("销售机会")

    def ready(self) -> None:
        from crm.activities import services as activities

        from . import digest

        # the morning digest lists the owner's stale opportunities
        activities.on_digest(digest.digest_section)
