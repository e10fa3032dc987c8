from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANIZATION = "organization", _("单位")


class Category(models.TextChoices):
    POTENTIAL = "potential", _("潜在客户")
    BASE = "base", _("基盘客户")
    INTENTION = "intention", pgettext_lazy("category", "意向客户")
    RETAINED = "retained", _("保有客户")
    DEFEATED = "defeated", _("战败客户")


class Grade(models.TextChoices):
    O = "O", _("O级（已交定金）")  # noqa: E741 - the regulations call it O
    H = "H", _("H级（7天内成交）")
    A = "A", _("A级（7天至1个月成交）")
    B = "B", _("B级（1至3个月成交）")
    C = "C", _("C级（3个月以上成交）")


class ContactRole(models.TextChoices):
    CHAIRMAN = "chairman", _("董事长/老板")
    GENERAL_MANAGER = "general_manager", _("总经理")
    FLEET_MANAGER = "fleet_manager", _("车队管理")
    KEY_STAFF = "key_staff", _("主要人员")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class ShareMode(models.TextChoices):
    """What a colleague may do with a customer shared with them (crm.core.permissions.Share)."""

    READ = "read", _("只读")
    READ_WRITE = "read_write", _("可编辑")


class CompanyType(models.TextChoices):
    """公司性质 (the foreign-trade table's column): what kind of business the customer is."""

    MANUFACTURER = "manufacturer", _("生产商")
    TRADER = "trader", _("贸易商")
    RETAILER = "retailer", _("零售商")
    # 经销商、代理商: those who resell medical devices need a business licence (crm.orders)
    DISTRIBUTOR = "distributor", _("经销商")
    AGENT = "agent", _("代理商")
    OTHER = "other", pgettext_lazy("company type", "其他")
