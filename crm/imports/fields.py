"""The columns an import knows: derived from the declared input of what its rows become
(``CustomerInput``; ``ContactInput``, ``FollowUpInput`` and ``PurchaseInput`` for the contacts,
follow-up records and past purchases of existing customers, with the column naming the customer
first), so that the template
and the mapping cannot drift from what the API and the form accept. A field added to an input is
a column here, titled by the model's label of it.

Also: guessing which column is which from the header (Chinese and English synonyms), and the
template file.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from crm.activities.inputs import FollowUpInput
from crm.activities.models import FollowUp
from crm.core.inputs import Input
from crm.customers.inputs import ContactInput, CustomerInput
from crm.customers.models import Contact, Customer
from crm.orders.inputs import PurchaseInput
from crm.orders.models import Order
from crm.reports.exports import safe_cell

from .models import Target

OWNER = "owner"
TAGS = "tags"
CUSTOMER = "customer"  # a contact's or follow-up's customer: its number, name or phone
# a nested object a row cannot hold: a defeated customer is entered with its analysis, one by one
LEFT_OUT = frozenset({"defeat"})
REQUIRED = frozenset(
    name for name, info in CustomerInput.model_fields.items() if info.is_required()
)

# titles where the model's label says less than a spreadsheet column should
_TITLES = {
    "name": gettext_lazy("客户名称"),
    "kind": gettext_lazy("客户类型"),
    "phone": gettext_lazy("手机/电话"),
    "id_number": gettext_lazy("身份证号码"),
    "company": gettext_lazy("单位"),
    OWNER: gettext_lazy("负责人"),
}

# header texts that mean a field (compared without spaces, case or punctuation)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "姓名",
        "客户名称",
        "客户姓名",
        "客户",
        "名称",
        "name",
        "customer",
        "customername",
        "fullname",
    ),
    "kind": ("客户类型", "类型", "kind", "type"),
    "phone": (
        "手机",
        "手机号",
        "手机号码",
        "电话",
        "电话号码",
        "联系电话",
        "联系方式",
        "移动电话",
        "mobile",
        "phone",
        "tel",
        "telephone",
        "cellphone",
    ),
    "wechat": ("微信", "微信号", "wechat", "weixin"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "mail"),
    "id_number": ("身份证", "身份证号", "身份证号码", "证件号码", "idnumber", "idcard", "id"),
    "credit_code": ("统一社会信用代码", "信用代码", "creditcode"),
    "company": (
        "单位",
        "公司",
        "单位名称",
        "公司名称",
        "工作单位",
        "company",
        "organization",
        "employer",
    ),
    "address": ("地址", "联系地址", "住址", "address"),
    "city": ("城市", "所在城市", "city"),
    "bank_name": ("开户银行", "开户行", "bank", "bankname"),
    "bank_account": ("银行账号", "账号", "bankaccount", "account"),
    "staff_count": ("员工人数", "人数", "staff", "employees"),
    "annual_revenue": ("年营业额", "营业额", "revenue"),
    "main_business": ("主营业务", "主营", "business"),
    "needs": ("客户需求", "需求", "needs"),
    "feedback": ("客户反馈", "反馈", "feedback"),
    "source": ("认知途径", "来源", "客户来源", "渠道", "source", "channel"),
    "category": ("客户类别", "类别", "category", "stage"),
    "grade": ("意向级别", "级别", "grade", "level"),
    "expected_purchase_on": ("预计购买日期", "预计购买", "expectedpurchase"),
    "deal_on": ("成交日期", "成交时间", "dealdate"),
    "deposit_amount": ("定金金额", "定金", "deposit"),
    "deposit_on": ("定金日期", "收定金日期", "depositdate"),
    OWNER: ("负责人", "销售顾问", "跟进人", "业务员", "归属", "owner", "salesrep", "rep"),
    TAGS: ("标签", "tags", "tag"),
    "notes": ("备注", "说明", "notes", "note", "remark", "remarks", "comment"),
}


_CUSTOMER_WORDS = ("客户", "客户名称", "客户姓名", "所属客户", "客户编号", "customer")

CONTACT_SYNONYMS: dict[str, tuple[str, ...]] = {
    CUSTOMER: (*_CUSTOMER_WORDS, "单位", "公司", "单位名称", "公司名称", "company"),
    "name": ("联系人", "联系人姓名", "姓名", "name", "contact", "contactname"),
    "role": ("角色", "身份", "联系人角色", "role"),
    "title": ("职务", "职位", "职位名称", "title", "position"),
    "phone": SYNONYMS["phone"],
    "wechat": SYNONYMS["wechat"],
    "age": ("年龄", "age"),
    "gender": ("性别", "gender", "sex"),
    "hobbies": ("爱好", "兴趣爱好", "hobbies"),
    "notes": SYNONYMS["notes"],
}
FOLLOWUP_SYNONYMS: dict[str, tuple[str, ...]] = {
    CUSTOMER: _CUSTOMER_WORDS,
    "kind": ("跟进方式", "方式", "沟通方式", "类型", "kind", "type"),
    "occurred_at": ("跟进时间", "跟进日期", "时间", "日期", "date", "time", "occurredat"),
    "content": ("跟进内容", "内容", "沟通内容", "content"),
    "outcome": ("结果", "跟进结果", "outcome", "result"),
    "place": ("地点", "拜访地点", "place"),
    "purpose": ("目的", "拜访目的", "purpose"),
    "feedback": ("客户反馈", "反馈", "feedback"),
    "subject": ("主题", "邮件主题", "subject"),
    "recipient": ("收件人", "recipient"),
    "next_step": ("下一步", "下次计划", "nextstep"),
    "satisfaction": ("满意度", "satisfaction"),
    "next_at": ("下次跟进时间", "下次跟进", "nextat"),
    "next_method": ("下次跟进方式", "nextmethod"),
}
PURCHASE_SYNONYMS: dict[str, tuple[str, ...]] = {
    CUSTOMER: (*_CUSTOMER_WORDS, "买家", "会员", "买家会员名", "会员名", "收货人", "buyer"),
    "order_date": (
        "购买日期",
        "订单日期",
        "下单时间",
        "下单日期",
        "成交时间",
        "付款时间",
        "日期",
        "date",
        "orderdate",
    ),
    "product": (
        "产品",
        "商品",
        "宝贝",
        "产品名称",
        "商品名称",
        "宝贝标题",
        "产品编号",
        "商品编码",
        "product",
    ),
    "quantity": ("数量", "购买数量", "件数", "订购数量", "quantity", "qty"),
    "unit_price": ("单价", "价格", "成交价", "商品单价", "price", "unitprice"),
    "currency": ("币种", "货币", "currency"),
    "payment_method": ("付款方式", "支付方式", "payment"),
    "external_number": ("订单号", "订单编号", "外部单号", "网店订单号", "orderno", "ordernumber"),
    "notes": ("备注", "买家留言", "订单备注", "notes", "remark"),
}


@dataclass(frozen=True)
class Shape:
    """One target's columns: the declared input its rows go through, the model whose labels
    title them, the fields a row cannot hold, the titles and header words, the example row."""

    input: type[Input]
    model: Any
    left_out: frozenset[str]
    titles: dict[str, Any]
    synonyms: dict[str, tuple[str, ...]]
    example: dict[str, Any]
    sheet: Any
    file_name: str


SHAPES: dict[str, Shape] = {
    Target.CUSTOMERS: Shape(
        CustomerInput,
        Customer,
        LEFT_OUT,
        _TITLES,
        SYNONYMS,
        {"name": gettext_lazy("张三"), "phone": "13800138000", "city": gettext_lazy("杭州")},
        gettext_lazy("客户"),
        "customer-import-template.xlsx",
    ),
    Target.CONTACTS: Shape(
        ContactInput,
        Contact,
        frozenset(),
        {
            CUSTOMER: gettext_lazy("所属客户"),
            "name": gettext_lazy("联系人姓名"),
            "role": gettext_lazy("联系人角色"),  # a sheet's 职务 is the title (职位名称)
        },
        CONTACT_SYNONYMS,
        {CUSTOMER: "KH000001", "name": gettext_lazy("李四"), "title": gettext_lazy("采购经理")},
        gettext_lazy("联系人"),
        "contact-import-template.xlsx",
    ),
    Target.FOLLOWUPS: Shape(
        FollowUpInput,
        FollowUp,
        frozenset({"plan"}),
        {
            CUSTOMER: gettext_lazy("客户"),
            "kind": gettext_lazy("跟进方式"),
            "occurred_at": gettext_lazy("跟进时间"),
            "next_at": gettext_lazy("下次跟进时间"),
            "next_method": gettext_lazy("下次跟进方式"),
        },
        FOLLOWUP_SYNONYMS,
        {
            CUSTOMER: "KH000001",
            "kind": gettext_lazy("电话"),
            "occurred_at": "2024-03-05 14:30",
            "content": gettext_lazy("介绍新品，客户有兴趣"),
        },
        gettext_lazy("跟进记录"),
        "followup-import-template.xlsx",
    ),
    Target.PURCHASES: Shape(
        PurchaseInput,
        Order,
        frozenset(),
        {
            CUSTOMER: gettext_lazy("客户"),
            "order_date": gettext_lazy("购买日期"),
            "product": gettext_lazy("产品（编号或名称）"),
            "quantity": gettext_lazy("数量"),
            "unit_price": gettext_lazy("单价"),
            "external_number": gettext_lazy("订单号"),
        },
        PURCHASE_SYNONYMS,
        {
            CUSTOMER: "KH000001",
            "order_date": "2024-03-05",
            "product": "P001",
            "quantity": 2,
            "unit_price": 99,
        },
        gettext_lazy("购买记录"),
        "purchase-import-template.xlsx",
    ),
}


@dataclass(frozen=True)
class Column:
    field: str
    title: str
    required: bool


def _model_label(model: Any, field: str) -> str:
    for name in (field, f"{field}_store"):
        try:
            found = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return str(getattr(found, "verbose_name", field))
    return field


def columns(target: str = Target.CUSTOMERS) -> list[Column]:
    """The importable columns of ``target``, in its input's order (a related target's customer
    column first), titled in the active language."""
    shape = SHAPES[target]
    names = [n for n in shape.input.model_fields if n not in shape.left_out]
    required = {n for n, info in shape.input.model_fields.items() if info.is_required()}
    if target != Target.CUSTOMERS:
        names.insert(0, CUSTOMER)
        required.add(CUSTOMER)
    return [
        Column(
            name,
            str(shape.titles[name]) if name in shape.titles else _model_label(shape.model, name),
            name in required,
        )
        for name in names
    ]


def field_names(target: str = Target.CUSTOMERS) -> list[str]:
    return [c.field for c in columns(target)]


_PUNCT = re.compile(r"[\s*＊:：()（）\[\]【】<>《》_\-/\\.、,，;；'\"“”]+")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[(（]\s*(必填|选填|可选|required|optional)\s*[)）]", "", text)
    return _PUNCT.sub("", text)


def _lookup(target: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for column in columns(target):
        table.setdefault(_key(column.title), column.field)
        table.setdefault(_key(column.field), column.field)
    for field, words in SHAPES[target].synonyms.items():
        for word in words:
            table.setdefault(_key(word), field)
    return table


def guess(headers: list[str], target: str = Target.CUSTOMERS) -> dict[str, str]:
    """Column index (as text) → field, for the headers recognised; each field at most once
    (the first column that names it). Exact names first, then a header containing a synonym
    (客户手机号 → phone)."""
    table = _lookup(target)
    known = set(field_names(target))
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    keys = [_key(h) for h in headers]
    for i, key in enumerate(keys):
        field = table.get(key)
        if key and field in known and field not in taken:
            mapping[str(i)] = field
            taken.add(field)
    words = sorted(((k, f) for k, f in table.items() if len(k) >= 2), key=lambda kf: -len(kf[0]))
    for i, key in enumerate(keys):
        if str(i) in mapping or not key:
            continue
        for word, field in words:
            if word in key and field in known and field not in taken:
                mapping[str(i)] = field
                taken.add(field)
                break
    return mapping


def template(target: str = Target.CUSTOMERS) -> bytes:
    """The import template of ``target``: one sheet, the columns' Chinese titles (required ones
    marked *) and an example row."""
    shape = SHAPES[target]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(shape.sheet)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for i, column in enumerate(columns(target), start=1):
        cell = sheet.cell(row=1, column=i)
        safe_cell(cell, f"{column.title}*" if column.required else column.title)
        cell.font = bold
        if column.required:
            cell.fill = fill
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.title) * 2 + 4)
    example = {**shape.example, "notes": _("示例行，导入前请删除")}
    for i, column in enumerate(columns(target), start=1):
        if column.field in example:
            safe_cell(sheet.cell(row=2, column=i), str(example[column.field]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
