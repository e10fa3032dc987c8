from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "crm.activities"
    label = "activities"
    verbose_name = _("跟进")

    def ready(self) -> None:
        from crm.customers import hooks
        from crm.governance import approvals

        from . import services

        hooks.on_owner_changed(services.plans_follow_owner, many=services.plans_follow_owners)
        hooks.on_category_entered(
            services.plans_follow_category, many=services.plans_follow_categories
        )
        hooks.on_shared(services.notify_shared)
        approvals.on_submitted(services.notify_deciders)
        approvals.on_advanced(services.notify_advanced)
        approvals.on_decided(services.notify_requester)
