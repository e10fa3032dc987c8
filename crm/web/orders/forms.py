"""The order's forms (客户订购登记表 and its lines, 合同评审表's requirements, a review, the
signature, a licence, the payment plan and a receipt), from the declared inputs of crm.orders."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.orders.inputs import (
    InstalmentInput,
    LicenceInput,
    LineInput,
    OrderInput,
    PropertyStepInput,
    ReceiptInput,
    RequirementsInput,
    ReviewInput,
)
from crm.orders.models import FileKind, MedicalLicence, Order
from crm.products.models import DeviceClass
from crm.web.inputs import form_field

EXTRA_LINES = 3
PLAN_ROWS = 6
_HEAD = (
    "order_date",
    "expected_delivery",
    "contact_name",
    "contact_phone",
    "contact_email",
    "payment_method",
    "invoice_company",
    "invoice_tax_id",
    "invoice_address",
    "invoice_phone",
    "invoice_bank",
    "invoice_account",
    "currency",
    "incoterm",
    "port",
    "style_number",
    "notes",
)
_FLAGS = ("verbal", "by_instalments", "sample_sent")


class OrderForm(forms.Form):
    """The order's head; its lines are ``LineFormSet``."""

    order_date = form_field(OrderInput, "order_date", label=_("订单日期"))
    expected_delivery = form_field(OrderInput, "expected_delivery", label=_("期望交付日期"))
    verbal = forms.BooleanField(label=_("口头订单（须补书面确认）"), required=False)
    contact_name = form_field(OrderInput, "contact_name", label=_("联系人"))
    contact_phone = form_field(OrderInput, "contact_phone", label=_("联系电话"))
    contact_email = form_field(OrderInput, "contact_email", label=_("电子邮箱"))
    payment_method = form_field(
        OrderInput,
        "payment_method",
        label=_("付款方式"),
        widget=forms.RadioSelect(),
        initial="transfer",
    )
    by_instalments = forms.BooleanField(label=_("分期付款"), required=False)
    invoice_company = form_field(OrderInput, "invoice_company", label=_("开票公司名称"))
    invoice_tax_id = form_field(OrderInput, "invoice_tax_id", label=_("纳税人识别号"))
    invoice_address = form_field(OrderInput, "invoice_address", label=_("公司地址"))
    invoice_phone = form_field(OrderInput, "invoice_phone", label=_("开票电话"))
    invoice_bank = form_field(OrderInput, "invoice_bank", label=_("开户银行"))
    invoice_account = form_field(OrderInput, "invoice_account", label=_("银行账号"))
    currency = form_field(OrderInput, "currency", label=_("币种"), initial="CNY")
    incoterm = form_field(OrderInput, "incoterm", label=_("贸易术语"))
    port = form_field(OrderInput, "port", label=_("港口"))
    sample_sent = forms.BooleanField(label=_("已寄样"), required=False)
    style_number = form_field(OrderInput, "style_number", label=_("款号"))
    notes = form_field(OrderInput, "notes", label=_("其他备注"))

    def service_data(self) -> dict[str, Any]:
        data = {f: self.cleaned_data.get(f) for f in (*_HEAD, *_FLAGS)}
        return {k: v for k, v in data.items() if v is not None or k == "expected_delivery"}

    @staticmethod
    def initial_of(order: Order) -> dict[str, Any]:
        return {f: getattr(order, f) for f in (*_HEAD, *_FLAGS)}


class LineForm(forms.Form):
    product = forms.TypedChoiceField(label=_("产品"), coerce=int, required=False, empty_value=None)
    quantity = form_field(LineInput, "quantity", label=_("数量"))
    unit_price = form_field(LineInput, "unit_price", label=_("单价"), help_text=_("不填取价格表"))
    size = form_field(LineInput, "size", label=_("尺寸"))
    colour = form_field(LineInput, "colour", label=_("颜色"))
    customisation = form_field(LineInput, "customisation", label=_("定制要求"))

    def __init__(self, *args: Any, products: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((p.pk, f"{p.code} {p.name}") for p in products),
        ]


LineFormSet = forms.formset_factory(LineForm, extra=EXTRA_LINES, max_num=100)


def line_rows(formset: Any) -> list[dict[str, Any]]:
    """The filled lines of the formset as the declared input's ``lines``."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", {}) or {}
        if not data.get("product"):
            continue
        row = {k: v for k, v in data.items() if v not in (None, "")}
        row.setdefault("quantity", None)
        rows.append(row)
    return rows


def line_initial(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "product": line.product_id,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "size": line.size,
            "colour": line.colour,
            "customisation": line.customisation,
        }
        for line in order.lines.all()  # type: ignore[attr-defined]
    ]


class RequirementsForm(forms.Form):
    """合同评审表 5.1.1–5.1.4."""

    stated_quality = form_field(RequirementsInput, "stated_quality", label=_("质量要求"))
    stated_usability = form_field(RequirementsInput, "stated_usability", label=_("可用性要求"))
    stated_delivery = form_field(RequirementsInput, "stated_delivery", label=_("交付要求"))
    stated_transport = form_field(RequirementsInput, "stated_transport", label=_("运输要求"))
    stated_warranty = form_field(RequirementsInput, "stated_warranty", label=_("保修要求"))
    stated_training = form_field(RequirementsInput, "stated_training", label=_("培训要求"))
    stated_price = form_field(RequirementsInput, "stated_price", label=_("价格要求"))
    implied = form_field(RequirementsInput, "implied", label=_("隐含要求（预期用途所必要的）"))
    statutory = form_field(RequirementsInput, "statutory", label=_("法律法规要求（绿色环保等）"))
    lead_free = forms.BooleanField(label=_("无铅要求"), required=False)
    company_terms = form_field(
        RequirementsInput, "company_terms", label=_("公司附加要求（付款方式和期限等）")
    )


class ReviewForm(forms.Form):
    note = form_field(ReviewInput, "note", label=_("评审意见"))


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("文件类型"), choices=FileKind.choices)


class LicenceForm(forms.Form):
    kind = form_field(LicenceInput, "kind", label=_("证照类型"))
    number = form_field(LicenceInput, "number", label=_("许可证（备案凭证）编号"))
    classes = forms.MultipleChoiceField(
        label=_("经营范围：管理类别"),
        choices=[(c.value, c.label) for c in DeviceClass if c != DeviceClass.CLASS_I],
        widget=forms.CheckboxSelectMultiple,
    )
    codes = forms.CharField(
        label=_("经营范围：分类编码"),
        required=False,
        max_length=2000,
        help_text=_("用逗号或空格分隔，如 6821, 6822；不填为不限"),
    )
    issued_on = form_field(LicenceInput, "issued_on", label=_("发证日期"))
    expires_on = form_field(LicenceInput, "expires_on", label=_("有效期至"))

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        text = (data.pop("codes") or "").replace("，", ",").replace("、", ",")
        data["codes"] = [c for c in text.replace(",", " ").split() if c]
        return {k: v for k, v in data.items() if v is not None or k == "issued_on"}

    @staticmethod
    def initial_of(licence: MedicalLicence) -> dict[str, Any]:
        return {
            "kind": licence.kind,
            "number": licence.number,
            "classes": licence.classes,
            "codes": ", ".join(licence.codes),
            "issued_on": licence.issued_on,
            "expires_on": licence.expires_on,
        }


class PlanForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(PLAN_ROWS):
            self.fields[f"due_on_{n}"] = form_field(InstalmentInput, "due_on", label=_("应收日期"))
            self.fields[f"amount_{n}"] = form_field(InstalmentInput, "amount", label=_("应收金额"))
            self.fields[f"note_{n}"] = form_field(InstalmentInput, "note", label=_("说明"))

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"due_on_{n}"], self[f"amount_{n}"], self[f"note_{n}"]) for n in range(PLAN_ROWS)
        ]

    def service_data(self) -> dict[str, Any]:
        rows = []
        for n in range(PLAN_ROWS):
            due, amount = self.cleaned_data.get(f"due_on_{n}"), self.cleaned_data.get(f"amount_{n}")
            if due is None and amount is None:
                continue
            row: dict[str, Any] = {"due_on": due, "amount": amount}
            if self.cleaned_data.get(f"note_{n}"):
                row["note"] = self.cleaned_data[f"note_{n}"]
            rows.append(row)
        return {"instalments": rows}


class ReceiptForm(forms.Form):
    received_on = form_field(ReceiptInput, "received_on", label=_("到账日期"))
    amount = form_field(ReceiptInput, "amount", label=_("金额"))
    method = form_field(ReceiptInput, "method", label=_("付款方式"))
    note = form_field(ReceiptInput, "note", label=_("说明"))

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class PropertyStepForm(forms.Form):
    """A step of a property sale (认购 → 签约 → 按揭 → 备案); the choices are the steps that may
    come next."""

    stage = form_field(PropertyStepInput, "stage", label=_("进度"))
    done_on = form_field(PropertyStepInput, "done_on", label=_("办理日期"))
    note = form_field(PropertyStepInput, "note", label=_("说明"))

    def __init__(self, *args: Any, stages: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if stages is not None:
            self.fields["stage"].choices = stages  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
