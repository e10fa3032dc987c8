"""The customer fields a retrieval request may ask for, in the order a file lists them, with
their column titles and how a value is read off a display copy (``Masker.show``: a field above
the reader's clearance is already masked there, so nothing here can leak it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from crm.customers.models import Customer


@dataclass(frozen=True)
class ExportField:
    code: str
    label: str | Promise
    read: Callable[[Any, Names], Any]


Read = Callable[[Any, "Names"], Any]


def attr(path: str) -> Read:
    """An attribute, or a dotted path of them (``pipeline.name``); none reads blank."""
    names = path.split(".")

    def read(row: Any, _names: Names) -> Any:
        value = row
        for name in names:
            value = getattr(value, name, None) if value is not None else None
        return "" if value is None else value

    return read


def choice(model: type[models.Model], name: str) -> Read:
    """A choice's label, the labels read once per language (``get_FOO_display`` per row hashes
    the choices each time: a third of an export's time)."""
    labels: dict[str, dict[Any, str]] = {}

    def read(row: Any, _names: Names) -> str:
        value = getattr(row, name, "")
        if not value:
            return ""
        language = get_language() or ""
        if language not in labels:
            field = model._meta.get_field(name)
            labels[language] = {k: str(v) for k, v in field.flatchoices}  # type: ignore[union-attr]
        return labels[language].get(value, str(value))

    return read


def _display(name: str) -> Read:
    return choice(Customer, name)


def moment(name: str) -> Read:
    """A moment as local time, to the minute."""

    def read(row: Any, _names: Names) -> str:
        value = getattr(row, name, None)
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    return read


class Names:
    """Users' and departments' names, read once per export (a few hundred rows) instead of a
    join and two model instances per customer."""

    def __init__(self) -> None:
        from crm.accounts.models import Department, User

        self.users = {
            pk: full or username
            for pk, full, username in User.objects.values_list("pk", "full_name", "username")
        }
        self.departments = dict(Department.objects.values_list("pk", "name"))


def user(name: str) -> Read:
    """A user's name, by the row's ``<name>_id``."""

    def read(row: Any, names: Names) -> str:
        pk = getattr(row, f"{name}_id", None)
        return names.users.get(pk, "") if pk else ""

    return read


def department(name: str) -> Read:
    """A department's name, by the row's ``<name>_id``."""

    def read(row: Any, names: Names) -> str:
        pk = getattr(row, f"{name}_id", None)
        return names.departments.get(pk, "") if pk else ""

    return read


FIELDS: tuple[ExportField, ...] = (
    ExportField("number", _("客户编号"), attr("number")),
    ExportField("name", _("名称"), attr("name")),
    ExportField("kind", _("类型"), _display("kind")),
    ExportField("category", _("客户类别"), _display("category")),
    ExportField("grade", _("意向级别"), attr("grade")),
    ExportField("company", _("单位名称"), attr("company")),
    ExportField("phone", _("手机"), attr("phone")),
    ExportField("wechat", _("微信号"), attr("wechat")),
    ExportField("email", _("邮箱"), attr("email")),
    ExportField("address", _("地址"), attr("address")),
    ExportField("city", _("城市"), attr("city")),
    ExportField("source", _("认知途径"), attr("source")),
    ExportField("owner", _("销售顾问"), user("owner")),
    ExportField("department", _("部门"), department("department")),
    ExportField("created_at", _("登记时间"), moment("created_at")),
    ExportField("last_contact_at", _("最近跟进"), moment("last_contact_at")),
    ExportField("id_number", _("身份证号"), attr("id_number")),
    ExportField("credit_code", _("统一社会信用代码"), attr("credit_code")),
    ExportField("bank_name", _("开户银行"), attr("bank_name")),
    ExportField("bank_account", _("银行账号"), attr("bank_account")),
)
BY_CODE: dict[str, ExportField] = {f.code: f for f in FIELDS}
CODES: tuple[str, ...] = tuple(BY_CODE)
DEFAULT = ("number", "name", "category", "grade", "company", "phone", "owner", "created_at")


def ordered(codes: list[str]) -> list[ExportField]:
    """The chosen fields in the catalogue's order (each once)."""
    wanted = set(codes)
    return [f for f in FIELDS if f.code in wanted]


FILTER_LABELS: dict[str, str | Promise] = {
    "q": _("搜索"),
    "category": _("客户类别"),
    "grade": _("意向级别"),
    "owner": _("负责人"),
    "tag": _("标签"),
    "mine": _("只看我名下的"),
    "shared": _("共享给我的"),
    "follow": _("跟进状态"),
    "created": _("创建时间"),
    "customers": _("逐个选定的客户"),
}


def criteria_rows(criteria: dict[str, Any]) -> list[tuple[str, str]]:
    """A request's filter in words: (label, value), the choices by their names."""
    from crm.accounts.models import User
    from crm.customers.choices import Category

    follow = {"overdue": _("跟进已逾期"), "due": _("今日到期及逾期"), "never": _("从未跟进")}
    created = {"week": _("本周新增"), "month": _("本月新增")}
    rows: list[tuple[str, str]] = []
    for key, value in criteria.items():
        shown: Any = value
        if key == "category":
            shown = dict(Category.choices).get(value, value)
        elif key == "follow":
            shown = follow.get(value, value)
        elif key == "created":
            shown = created.get(value, value)
        elif key == "owner":
            user = User.objects.filter(pk=value).first()
            shown = user.display_name if user is not None else value
        elif value is True:
            shown = "✓"
        rows.append((str(FILTER_LABELS.get(key, key)), str(shown)))
    return rows
