from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "crm.imports"
    label = "imports"
    verbose_name = _("客户导入")

    def ready(self) -> None:
        from crm.activities import tasks as activities_tasks

        from . import services

        # a run whose worker died mid-way goes on by itself, after its last committed batch
        activities_tasks.on_every("resume_imports", services.resume_stalled, minutes=5)
