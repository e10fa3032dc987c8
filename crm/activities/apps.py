from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "crm.activities"
    label = "activities"
    verbose_name = "跟进"

    def ready(self) -> None:
        from crm.customers import hooks

        from . import services

        hooks.on_owner_changed(services.plans_follow_owner)
        hooks.on_category_entered(services.plans_follow_category)
