from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "crm.care"
    label = "care"
    verbose_name = _("满意度与客户关怀")
