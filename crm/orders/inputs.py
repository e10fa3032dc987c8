"""The declared inputs of orders (see ``crm.core.inputs``): the 客户订购登记表 with its lines, the
合同评审表's requirements given on submission, a department's review, a distributor's licence,
the payment plan and a receipt; a past purchase (the import's and the API's)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import (
    MAX_ID,
    Choice,
    CreditCode,
    Day,
    EmailAddress,
    Input,
    Integer,
    Money,
    Phone,
    RowResult,
    Text,
    partial,
    validate_row,
)
from crm.core.regions import Currency
from crm.products.models import DeviceClass

from .models import FileKind, Incoterm, LicenceKind, PaymentMethod, PropertyStage

Id = Annotated[int, Integer(1, MAX_ID)]
Version = Annotated[int, Integer(1, MAX_ID)]
LINES_MAX = 100
INSTALMENTS_MAX = 60
Quantity = Annotated[decimal.Decimal, Money(10**9, positive=True)]
Amount = Annotated[decimal.Decimal, Money(10**12)]
Positive = Annotated[decimal.Decimal, Money(10**12, positive=True)]


class LineInput(Input):
    """One product of the order with its specification notes (订单细则)."""

    product: Id = Field(description="产品 id")
    quantity: Quantity = Field(description="数量")
    unit_price: Amount | None = Field(
        None, description="单价；不填时取产品在订单币种下的价格表单价"
    )
    size: Annotated[str, Text(100)] = Field("", description="尺寸")
    colour: Annotated[str, Text(50)] = Field("", description="颜色")
    customisation: Annotated[str, Text(500)] = Field("", description="其他定制要求")


class OrderInput(Input):
    """客户订购登记表: the customer, the products, delivery, payment, invoice details and the
    foreign-trade terms."""

    customer: Id = Field(description="客户 id")
    opportunity: Id | None = Field(
        None, description="来自的销售机会 id（同一客户的，赢单后登记订单时）"
    )
    verbal: bool = Field(False, description="口头订单：确认前须上传书面确认（邮件或回签合同）")
    order_date: Annotated[dt.date, Day()] | None = Field(None, description="订单日期；默认今天")
    expected_delivery: Annotated[dt.date, Day()] | None = Field(None, description="期望交付日期")
    contact_name: Annotated[str, Text(50)] = Field("", description="联系人")
    contact_phone: Phone = ""
    contact_email: EmailAddress = ""
    payment_method: Annotated[str, Choice(PaymentMethod)] = Field(
        PaymentMethod.TRANSFER, description="online 线上支付 / transfer 银行转账 / cash 现金支付"
    )
    by_instalments: bool = Field(False, description="分期付款")
    invoice_company: Annotated[str, Text(100)] = Field("", description="开票公司名称")
    invoice_tax_id: CreditCode = ""
    invoice_address: Annotated[str, Text(200)] = Field("", description="公司地址")
    invoice_phone: Phone = ""
    invoice_bank: Annotated[str, Text(100)] = Field("", description="开户银行")
    invoice_account: Annotated[str, Text(40)] = Field("", description="银行账号")
    currency: Annotated[str, Choice(Currency)] = Field("CNY", description="币种")
    incoterm: Annotated[str, Choice(Incoterm, blank=True)] = Field(
        "", description="贸易术语，如 FOB"
    )
    port: Annotated[str, Text(100)] = Field("", description="港口，如 Shanghai")
    sample_sent: bool = Field(False, description="已寄样")
    style_number: Annotated[str, Text(50)] = Field("", description="款号")
    notes: Annotated[str, Text(2000, area=True)] = Field("", description="其他备注")
    lines: Annotated[
        list[LineInput],
        Field(min_length=1, max_length=LINES_MAX),
    ] = Field(description="订购产品")


class PurchaseInput(Input):
    """A past purchase (购买记录: a shop's order history, a sale made before the CRM): one
    product bought on a day, recorded as a closed order without review or signature. The
    customer is the path's (``customers/{id}/purchases``), or the import's column."""

    order_date: Annotated[dt.date, Day()] = Field(description="购买日期（不晚于今天）")
    product: Id = Field(description="产品 id")
    quantity: Quantity = Field(description="数量")
    unit_price: Amount | None = Field(None, description="单价；不填时取产品在该币种下的价格表单价")
    currency: Annotated[str, Choice(Currency)] = Field("CNY", description="币种")
    payment_method: Annotated[str, Choice(PaymentMethod)] = Field(
        PaymentMethod.ONLINE, description="online 线上支付 / transfer 银行转账 / cash 现金支付"
    )
    external_number: Annotated[str, Text(50)] = Field(
        "", description="外部单号（网店订单号）：同一客户的同一单号只记录一次"
    )
    notes: Annotated[str, Text(2000, area=True)] = Field("", description="备注")


def purchase_rules(values: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, str]:
    """A purchase recorded is one that happened."""
    day = values.get("order_date")
    if isinstance(day, dt.date) and day > (today or timezone.localdate()):
        return {"order_date": _("购买日期不能晚于今天")}
    return {}


def purchase_row(row: Mapping[str, Any]) -> RowResult:
    """One row of an import of purchase records (the customer's column is the import's)."""
    return validate_row(PurchaseInput, row, rules=purchase_rules)


OrderPatch = partial(
    OrderInput,
    name="OrderPatch",
    doc="An order changed in part from ``version``; ``lines``, when given, replaces them all.",
    exclude=("customer", "opportunity"),
    version=(
        Annotated[int, Integer(1, MAX_ID)],
        Field(description="修改所依据的版本（过期为 409）"),
    ),
)


class RequirementsInput(Input):
    """合同评审表 5.1.1–5.1.4: what the customer states, what is implied, what the law requires
    and what the company adds."""

    stated_quality: Annotated[
        str, Text(2000, required=True, area=True, message=gettext_noop("请填写质量要求"))
    ] = Field(description="顾客明示：质量要求")
    stated_usability: Annotated[str, Text(2000, area=True)] = Field("", description="可用性")
    stated_delivery: Annotated[
        str, Text(2000, required=True, area=True, message=gettext_noop("请填写交付要求"))
    ] = Field(description="交付要求")
    stated_transport: Annotated[str, Text(2000, area=True)] = Field("", description="运输")
    stated_warranty: Annotated[str, Text(2000, area=True)] = Field("", description="保修")
    stated_training: Annotated[str, Text(2000, area=True)] = Field("", description="培训")
    stated_price: Annotated[str, Text(2000, area=True)] = Field("", description="价格")
    implied: Annotated[str, Text(2000, area=True)] = Field(
        "", description="隐含要求：预期用途所必要的要求"
    )
    statutory: Annotated[str, Text(2000, area=True)] = Field(
        "", description="法律法规要求：绿色环保、无铅等"
    )
    lead_free: bool = Field(False, description="无铅要求")
    company_terms: Annotated[str, Text(2000, area=True)] = Field(
        "", description="公司附加要求：付款方式和期限等"
    )


class SubmitInput(RequirementsInput):
    version: Version = Field(description="提交所依据的版本")


class ReviewInput(Input):
    approve: bool = Field(description="同意（true）或不同意（false）")
    note: Annotated[str, Text(1000, area=True)] = Field("", description="评审意见（不同意时必填）")


class SignInput(Input):
    approve: bool = Field(description="签署（true）或退回（false）")
    note: Annotated[str, Text(500, area=True)] = Field("", description="意见（退回时必填）")


class CancelInput(Input):
    version: Version = Field(description="依据的版本")
    reason: Annotated[str, Text(500, required=True, message=gettext_noop("请填写取消原因"))] = (
        Field(description="取消原因")
    )


class DeliverInput(Input):
    version: Version = Field(description="依据的版本")
    delivered_on: Annotated[dt.date, Day()] | None = Field(None, description="交付日期；默认今天")


class VersionInput(Input):
    version: Version = Field(description="依据的版本")


class FileInput(Input):
    kind: Annotated[str, Choice(FileKind)] = Field(
        FileKind.EMAIL, description="email 邮件确认 / contract 回签合同 / other 其他文件"
    )


DeviceClassCode = Annotated[str, Choice(DeviceClass, message=gettext_noop("不是有效的管理类别"))]


class LicenceInput(Input):
    """A distributor's 医疗器械经营许可证 (or 第二类备案凭证)."""

    customer: Id = Field(description="客户 id")
    kind: Annotated[str, Choice(LicenceKind)] = Field(LicenceKind.LICENCE, description="证照类型")
    number: Annotated[str, Text(60, required=True, message=gettext_noop("请填写许可证编号"))] = (
        Field(description="许可证（备案凭证）编号")
    )
    classes: Annotated[list[DeviceClassCode], Field(min_length=1, max_length=3)] = Field(
        description="经营范围的管理类别：II、III"
    )
    codes: Annotated[list[Annotated[str, Text(20, required=True)]], Field(max_length=100)] = Field(
        [], description="经营范围的分类编码（如 6821）；空为不限"
    )
    issued_on: Annotated[dt.date, Day()] | None = Field(None, description="发证日期")
    expires_on: Annotated[dt.date, Day()] = Field(description="有效期至")


LicencePatch = partial(
    LicenceInput,
    name="LicencePatch",
    exclude=("customer",),
    version=(Version, Field(description="修改所依据的版本")),
)


class InstalmentInput(Input):
    due_on: Annotated[dt.date, Day()] = Field(description="应收日期")
    amount: Positive = Field(description="应收金额")
    note: Annotated[str, Text(200)] = Field("", description="说明，如 首付款、尾款")


class PaymentPlanInput(Input):
    """An order's payment plan: its instalments (replacing the plan before)."""

    instalments: Annotated[list[InstalmentInput], Field(max_length=INSTALMENTS_MAX)] = Field(
        description="分期"
    )


class PropertyStepInput(Input):
    """A step of a property sale reached (认购 → 合同 → 按揭 → 备案)."""

    stage: Annotated[str, Choice(PropertyStage)] = Field(
        description="subscription 认购 / contract 签约 / mortgage 按揭 / filing 备案"
    )
    done_on: Annotated[dt.date, Day()] = Field(description="办理日期，不晚于今天")
    note: Annotated[str, Text(200)] = Field("", description="说明，如 认购书编号、按揭银行")


class ReceiptInput(Input):
    received_on: Annotated[dt.date, Day()] = Field(description="到账日期")
    amount: Positive = Field(description="金额")
    method: Annotated[str, Choice(PaymentMethod)] = Field(
        PaymentMethod.TRANSFER, description="付款方式"
    )
    note: Annotated[str, Text(200)] = Field("", description="说明")
