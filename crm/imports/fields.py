"""The columns a customer import knows: derived from the customer's declared input
(``crm.customers.inputs.CustomerInput``), so that the template and the mapping cannot drift from
what the API and the form accept. A field added to the input is a column here, titled by the
customer model's label of it.

Also: guessing which column is which from the header (Chinese and English synonyms), and the
template file.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from crm.customers.inputs import CustomerInput
from crm.customers.models import Customer
from crm.reports.exports import safe_cell

OWNER = "owner"
TAGS = "tags"
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


@dataclass(frozen=True)
class Column:
    field: str
    title: str
    required: bool


def _model_label(field: str) -> str:
    for name in (field, f"{field}_store"):
        try:
            found = Customer._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return str(getattr(found, "verbose_name", field))
    return field


def columns() -> list[Column]:
    """The importable columns, in the input's order, titled in the active language."""
    return [
        Column(
            name, str(_TITLES[name]) if name in _TITLES else _model_label(name), name in REQUIRED
        )
        for name in CustomerInput.model_fields
        if name not in LEFT_OUT
    ]


def field_names() -> list[str]:
    return [c.field for c in columns()]


_PUNCT = re.compile(r"[\s*＊:：()（）\[\]【】<>《》_\-/\\.、,，;；'\"“”]+")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[(（]\s*(必填|选填|可选|required|optional)\s*[)）]", "", text)
    return _PUNCT.sub("", text)


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for column in columns():
        table.setdefault(_key(column.title), column.field)
        table.setdefault(_key(column.field), column.field)
    for field, words in SYNONYMS.items():
        for word in words:
            table.setdefault(_key(word), field)
    return table


def guess(headers: list[str]) -> dict[str, str]:
    """Column index (as text) → field, for the headers recognised; each field at most once
    (the first column that names it). Exact names first, then a header containing a synonym
    (客户手机号 → phone)."""
    table = _lookup()
    known = set(field_names())
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


def template() -> bytes:
    """The import template: one sheet, the columns' Chinese titles (required ones marked *)
    and an example row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("客户")
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for i, column in enumerate(columns(), start=1):
        cell = sheet.cell(row=1, column=i)
        safe_cell(cell, f"{column.title}*" if column.required else column.title)
        cell.font = bold
        if column.required:
            cell.fill = fill
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.title) * 2 + 4)
    example = {
        "name": _("张三"),
        "phone": "13800138000",
        "city": _("杭州"),
        "notes": _("示例行，导入前请删除"),
    }
    for i, column in enumerate(columns(), start=1):
        if column.field in example:
            safe_cell(sheet.cell(row=2, column=i), example[column.field])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
