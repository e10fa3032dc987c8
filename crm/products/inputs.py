"""The declared inputs of the catalogue (see ``crm.core.inputs``): a product with its prices per
currency, and a category."""

from __future__ import annotations

import decimal
from typing import Annotated

from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import MAX_ID, Choice, Input, Integer, Money, Text, partial
from crm.core.regions import Currency

from .models import DeviceClass

PRICES_MAX = 20


class PriceInput(Input):
    currency: Annotated[str, Choice(Currency)] = Field(description="币种（ISO 4217，如 CNY、USD）")
    price: Annotated[decimal.Decimal, Money()] = Field(description="单价")


class ProductInput(Input):
    """One product of the catalogue."""

    code: Annotated[str, Text(40, required=True, message=gettext_noop("请填写产品编号"))] = Field(
        description="产品编号（唯一）"
    )
    name: Annotated[str, Text(100, required=True, message=gettext_noop("请填写产品名称"))] = Field(
        description="产品名称"
    )
    category: Annotated[int, Integer(1, MAX_ID)] | None = Field(None, description="类别 id")
    specification: Annotated[str, Text(200)] = Field("", description="规格型号")
    unit: Annotated[str, Text(20, required=True, message=gettext_noop("请填写单位"))] = Field(
        "件", description="单位"
    )
    device_class: Annotated[str, Choice(DeviceClass, blank=True)] = Field(
        "", description="医疗器械类别：I / II / III；空为非医疗器械"
    )
    device_code: Annotated[str, Text(20)] = Field("", description="医疗器械分类编码，如 6821")
    description: Annotated[str, Text(2000, area=True)] = Field("", description="说明")
    active: bool = Field(True, description="在售")
    prices: Annotated[list[PriceInput], Field(max_length=PRICES_MAX)] = Field(
        [], description="价格表：每个币种一个单价"
    )


ProductPatch = partial(
    ProductInput,
    name="ProductPatch",
    doc="A product changed in part; ``prices``, when given, replaces the price list.",
)


class CategoryInput(Input):
    name: Annotated[str, Text(50, required=True, message=gettext_noop("请填写类别名称"))] = Field(
        description="类别名称"
    )
    sort: Annotated[int, Integer(0, 32767)] = Field(0, description="顺序")
    active: bool = Field(True, description="启用")
