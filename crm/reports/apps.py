from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "crm.reports"
    label = "reports"
    verbose_name = _("报表")

    def ready(self) -> None:
        from crm.customers import hooks

        from . import contact_status as kept

        # the contact-status report's kept figures change with the writes that change them
        hooks.on_category_entered(kept.on_category_entered, many=kept.on_categories_entered)
        hooks.on_owner_changed(kept.on_owner_changed, many=kept.on_owners_changed)
        hooks.on_deleted(kept.on_deleted)
        hooks.on_restored(kept.on_restored)
        hooks.on_followed_up(kept.on_followed_up)
