from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "crm.service"
    label = "service"
    verbose_name = _("客户服务")

    def ready(self) -> None:
        from crm.activities import tasks as activities_tasks

        from . import tasks

        # a complaint past its deadline goes to the department manager, then the general manager
        activities_tasks.on_every(
            tasks.ESCALATE_NAME, tasks.escalate_overdue, minutes=tasks.ESCALATE_EVERY_MINUTES
        )
