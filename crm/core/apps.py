from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "crm.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from django.conf import settings

        from .datafiles import protect

        protect(
            data_dir=settings.DATA_DIR,
            database=settings.DATABASES["default"],
            media_root=settings.MEDIA_ROOT,
        )
