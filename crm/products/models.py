"""The product catalogue (产品目录): categories, products with their specification and unit, a
price per currency, an active flag. A medical device carries its registration class (第一类,
第二类, 第三类) and, where the company uses them, its classification code (分类编码, e.g.
6821): a distributor's medical-device business licence must cover them (crm.orders.licences).

The catalogue is the company's: everyone reads it, the managers keep it (no data scope).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.models import TimeStampedModel
from crm.core.regions import currency_choices


class DeviceClass(models.TextChoices):
    """医疗器械管理类别: a class I device needs no business licence of its distributor; class II
    a record (备案), class III a licence (许可)."""

    CLASS_I = "I", _("第一类医疗器械")
    CLASS_II = "II", _("第二类医疗器械")
    CLASS_III = "III", _("第三类医疗器械")


# the classes a distributor or agent needs a licence (or record) for
LICENSED_CLASSES = (DeviceClass.CLASS_II, DeviceClass.CLASS_III)


class ProductCategory(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort", "id"]
        verbose_name = pgettext_lazy("model", "产品类别")
        verbose_name_plural = pgettext_lazy("model plural", "产品类别")

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    code = models.CharField(_("产品编号"), max_length=40, unique=True)
    name = models.CharField(_("产品名称"), max_length=100)
    category = models.ForeignKey(
        ProductCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("类别"),
    )
    specification = models.CharField(_("规格型号"), max_length=200, blank=True, default="")
    unit = models.CharField(_("单位"), max_length=20, default="件")
    device_class = models.CharField(
        _("医疗器械类别"), max_length=3, choices=DeviceClass.choices, blank=True, default=""
    )
    device_code = models.CharField(_("分类编码"), max_length=20, blank=True, default="")
    description = models.TextField(_("说明"), blank=True, default="")
    active = models.BooleanField(_("在售"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["active", "code"])]
        verbose_name = pgettext_lazy("model", "产品")
        verbose_name_plural = pgettext_lazy("model plural", "产品")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def licensed(self) -> bool:
        """Whether a distributor needs a medical-device business licence (or record) for it."""
        return self.device_class in LICENSED_CLASSES

    def price_in(self, currency: str) -> ProductPrice | None:
        return next((p for p in self.prices.all() if p.currency == currency), None)


class ProductPrice(models.Model):
    """The list price of a product in one currency (价格表)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(_("币种"), max_length=3, choices=currency_choices)
    price = models.DecimalField(_("单价"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["product", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["product", "currency"], name="product_price_currency"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_gte_0"),
        ]
        verbose_name = pgettext_lazy("model", "产品价格")
        verbose_name_plural = pgettext_lazy("model plural", "产品价格")

    def __str__(self) -> str:
        return f"{self.currency} {self.price}"
