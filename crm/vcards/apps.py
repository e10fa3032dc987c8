from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VCardsConfig(AppConfig):
    name = "crm.vcards"
    label = "vcards"
    verbose_name = _("名片导入")
