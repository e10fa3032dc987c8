from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolConfig(AppConfig):
    name = "crm.pool"
    label = "pool"
    verbose_name = _("公海")

    def ready(self) -> None:
        from crm.activities import services as activities
        from crm.activities import tasks as activities_tasks
        from crm.customers import hooks

        from . import digest, services, tasks

        # a customer's clock starts again with each new owner (the rules count from it)
        hooks.on_owner_changed(services.holding_note, many=services.holdings_note)
        # the owner's warning M days before a return, in the morning digest
        activities.on_digest(digest.digest_section)
        # the nightly return of customers to their pools
        activities_tasks.on_daily(
            tasks.NIGHTLY_NAME, tasks.enqueue_nightly, hour=tasks.nightly_hour
        )
